"""Pages: contracts and progress (contracts.py), evaluation (evaluation.py), tallies and the board (board.py), awards (awards.py)."""
