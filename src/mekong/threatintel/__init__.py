"""Threat intelligence: a STIX 2.1 store, a TAXII 2.1 server, TLP 2.0 and indicator matching."""
