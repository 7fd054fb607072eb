"""A package that re-exports its submodule's names: `from reexport import work` reaches reexport/tasks.py."""
from .tasks import double, work

__all__ = ["double", "work"]
