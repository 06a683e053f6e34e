"""My Number card access: APDUs, PC/SC transport, card applications and the card emulator.

This package imports nothing from the project's other packages.
"""
