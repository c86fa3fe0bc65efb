"""The demo data seed_demo loads: the story (data.py) and how it is played (play.py)."""
