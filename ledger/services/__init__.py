"""The use cases: one module per act or family of acts, each saving its aggregates atomically.

Each service receives the ports it needs (``bootstrap.Ports``) and the services it calls,
and calls them directly. An act reads, in its service, as the data flow:

    command -> checks -> events saved in one transaction (``store/aggregates.py``)
    -> (follower, ``log/follower.py``) leaf in the log, checkpoint when due, read model
    -> the credential returned -> status list versions published (``status_lists.py``)

issuers, dids, keys            institutions, their DIDs, their signing keys
achievements                   definitions of what is awarded
issuance, award_documents      awards (one pipeline, single and batch), their documents
given, reissue                 VC API issue of a given credential; corrections
status, status_slots           status changes; the status index of each credential
status_lists, status_publication   reading and publishing list versions
endorsements, recognitions     vouching for, and recognising, credentials
proofs, verification           proof bundles; verifiers wired to this ledger
erasure, identity              erasing a learner's data; the ledger's own identity
credential_records             recorded credentials, opened from the vault
"""
