"""Forms as data: definitions, pre-fill from the card, validation, signing and printing."""
