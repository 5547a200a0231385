"""royalty: what did my listening pay the artists?"""

__version__ = "0.1.0"
