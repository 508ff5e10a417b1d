"""Offline copies of the JSON-LD contexts credledger loads; never fetched at run time.

Copied from the W3C, W3ID and 1EdTech context packages (see README.md for sources and
licences); ``index.json`` maps each context URL to its file and sha256.
"""
