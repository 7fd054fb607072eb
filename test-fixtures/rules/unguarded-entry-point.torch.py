"""Fixture: torch.multiprocessing is multiprocessing; its spawn() starts processes with spawn."""
import torch.multiprocessing as mp


def train(rank, world_size):
    print(rank, world_size)


mp.spawn(train, args=(2,), nprocs=2)  # [unguarded-entry-point]
