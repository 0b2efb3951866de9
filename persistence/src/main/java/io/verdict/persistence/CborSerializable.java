package io.verdict.persistence;

/**
 * Marker for every message, event and state of ours that crosses a node boundary or reaches the
 * journal. Bound to Jackson CBOR in this module's {@code reference.conf}; nothing else is
 * serialized with Jackson, and Java serialization stays off.
 */
public interface CborSerializable {}
