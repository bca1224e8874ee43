"""The knowledge base: files staff edit, their loader and validator, and the question matcher.

Pure Python: nothing here imports aiogram, so `python -m bot ask` and the evaluation run the
same code as the bot without its start-up cost.
"""
