"""
The PostgreSQL functions that let an append of a store without an integrity key run in one
round trip (:mod:`iso10002.storage.postgres.linked`): the server computes the links of both
chains itself, with the very bytes of :class:`~iso10002.model.chain.Hasher` (SHA-256 of
``b"E" || prev_hash hash || canonical bytes`` and of ``b"G" || prev_hash chain || event hash``),
and refuses a version check or a number claim that matched no row with an error, so that the
rest of the pipeline is skipped and nothing is written.

A store with a key never sends it: it links on the client, as before.

Statements write ``{s}`` for the quoted schema name (hence no braces in the bodies).
"""

from __future__ import annotations

__all__ = ["POSTGRES_LINKING", "POSTGRES_LINK_BYTES", "REFUSED"]

REFUSED = "IS001"
"""The SQLSTATE of :data:`POSTGRES_LINKING`'s refusals; the detail names what was refused."""

_GENESIS = "'\\x" + "00" * 32 + "'::bytea"

_WS = "[ \\t\\n\\r\\v\\f]"
_PAIR = "[0-9a-fA-F][0-9a-fA-F]"

_LINK_BYTES = (
    f"CASE WHEN value ~ '^{_WS}*({_PAIR}{_WS}*)*$' "
    f"THEN decode(regexp_replace(value, '{_WS}', '', 'g'), 'hex') "
    "ELSE convert_to(value, 'UTF8') END"
)

POSTGRES_LINKING: tuple[str, ...] = (
    # A refusal: ``matched`` rows where one was expected. The detail says which check it was.
    (
        "CREATE OR REPLACE FUNCTION {s}.expect_row(matched bigint, what text) RETURNS void "
        "LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "  IF matched = 0 THEN\n"
        f"    RAISE EXCEPTION 'iso10002 refused the append' USING ERRCODE = '{REFUSED}', "
        "DETAIL = what;\n"
        "  END IF;\n"
        "END $$"
    ),
    # A stored link as the bytes it stands for, as Hasher reads it: hex digits (whitespace
    # between pairs ignored, as bytes.fromhex does), else the text's UTF-8 bytes.
    (
        "CREATE OR REPLACE FUNCTION {s}.link_bytes(value text) RETURNS bytea "
        "LANGUAGE sql IMMUTABLE STRICT AS $$\n"
        f"  SELECT {_LINK_BYTES}\n"
        "$$"
    ),
    # The events of one append, linked and inserted. The complaint's summary row is already
    # updated (or inserted) and locked by this transaction, so the hash it continues is
    # committed and nobody else continues it; the append lock is taken here, so it is held
    # only from this statement to the commit that follows it in the same pipeline.
    # Each statement of a PL/pgSQL function takes a new snapshot (READ COMMITTED): the read
    # of the log's last link, after the lock, sees what the lock waited for.
    (
        "CREATE OR REPLACE FUNCTION {s}.append_linked(lock_key bigint, stream uuid, "
        "expected integer, seqs integer[], types text[], schema_versions integer[], "
        "occurred text[], actors text[], states text[], payloads text[], personals text[], "
        "canonicals bytea[]) RETURNS void LANGUAGE plpgsql AS $$\n"
        "DECLARE\n"
        "  stored text;\n"
        "  prev_hash bytea;\n"
        "  prev_link bytea;\n"
        "  this_hash bytea;\n"
        "BEGIN\n"
        f"  prev_hash := {_GENESIS};\n"
        "  IF expected > 0 THEN\n"
        "    SELECT e.hash INTO stored FROM {s}.events e\n"
        "      WHERE e.stream_id = stream AND e.seq = expected;\n"
        "    IF stored IS NOT NULL THEN\n"
        "      prev_hash := {s}.link_bytes(stored);\n"
        "    END IF;\n"
        "  END IF;\n"
        "  PERFORM pg_advisory_xact_lock(lock_key);\n"
        "  stored := NULL;\n"
        "  SELECT e.chain INTO stored FROM {s}.events e ORDER BY e.position DESC LIMIT 1;\n"
        f"  prev_link := {_GENESIS};\n"
        "  IF stored IS NOT NULL AND stored <> '' THEN\n"
        "    prev_link := {s}.link_bytes(stored);\n"
        "  END IF;\n"
        "  FOR i IN 1 .. cardinality(seqs) LOOP\n"
        "    this_hash := sha256('\\x45'::bytea || prev_hash || canonicals[i]);\n"
        "    prev_link := sha256('\\x47'::bytea || prev_link || this_hash);\n"
        "    INSERT INTO {s}.events (stream_id, seq, type, schema_version, occurred_at, actor,\n"
        "        state, payload, personal, hash, chain)\n"
        "      VALUES (stream, seqs[i], types[i], schema_versions[i], occurred[i]::timestamptz,\n"
        "        actors[i]::jsonb, states[i], payloads[i]::jsonb, personals[i]::jsonb,\n"
        "        encode(this_hash, 'hex'), encode(prev_link, 'hex'));\n"
        "    prev_hash := this_hash;\n"
        "  END LOOP;\n"
        "END $$"
    ),
)
"""Migration 12 on PostgreSQL: the functions of the one-round-trip append."""

POSTGRES_LINK_BYTES: tuple[str, ...] = (
    (
        "CREATE OR REPLACE FUNCTION {s}.link_bytes(value text) RETURNS bytea "
        f"LANGUAGE plpgsql IMMUTABLE STRICT AS $$ BEGIN RETURN {_LINK_BYTES}; END $$"
    ),
)
"""
Migration 16 on PostgreSQL: ``link_bytes`` of migration 12, the same expression, in PL/pgSQL,
which keeps its plan for the session: as a SQL function called from ``append_linked`` it was
planned again at each of its two calls an append.
"""
