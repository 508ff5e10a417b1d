"""The documents: Open Badges 3.0 rendering, signing, and the VC data model's rules."""
