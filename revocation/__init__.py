"""W3C Bitstring Status List v1.0: codec, index allocation, list credentials, status checks."""
