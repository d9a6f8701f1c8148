"""Reading data files: routines and variations, grammars, voice packs; where they live."""
