"""Settings the workers of globals_main.py and globals_ok.py read through `config.SETTING`."""
SETTING = 1
LIMIT = 5
