package io.verdict.inference.tensor;

import io.verdict.inference.digest.ContentDigest;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable set of tensors keyed by name, iterated in canonical order: by the unsigned bytes of
 * the UTF-8 encoding of the name (which differs from {@link String#compareTo} for characters
 * outside the Basic Multilingual Plane). Names are non-empty, well-formed Unicode, at most
 * {@link #MAX_NAME_BYTES} UTF-8 bytes.
 */
public final class NamedTensors {

    /** Longest allowed name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 1024;

    /** Orders names by the unsigned bytes of their UTF-8 encoding. */
    public static final Comparator<String> CANONICAL_NAME_ORDER =
            (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private static final NamedTensors EMPTY = new NamedTensors(new TreeMap<>(CANONICAL_NAME_ORDER));

    private final SortedMap<String, Tensor> tensors;

    private NamedTensors(TreeMap<String, Tensor> tensors) {
        this.tensors = Collections.unmodifiableSortedMap(tensors);
    }

    public static NamedTensors of(Map<String, Tensor> tensors) {
        TreeMap<String, Tensor> sorted = new TreeMap<>(CANONICAL_NAME_ORDER);
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            checkName(e.getKey());
            if (e.getValue() == null) {
                throw new InvalidTensor("tensor '" + e.getKey() + "' is null");
            }
            sorted.put(e.getKey(), e.getValue());
        }
        return new NamedTensors(sorted);
    }

    public static NamedTensors of(String name, Tensor tensor) {
        return of(Map.of(name, tensor));
    }

    public static NamedTensors empty() {
        return EMPTY;
    }

    /** UTF-8 bytes of a valid tensor name; {@link InvalidTensor} if the name is not allowed. */
    public static byte[] checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidTensor("tensor name must be non-empty");
        }
        try {
            StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(name));
        } catch (CharacterCodingException e) {
            throw new InvalidTensor("tensor name is not well-formed Unicode (unpaired surrogate)");
        }
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_NAME_BYTES) {
            throw new InvalidTensor("tensor name longer than " + MAX_NAME_BYTES + " UTF-8 bytes");
        }
        return utf8;
    }

    /** The tensors in canonical name order (unmodifiable). */
    public SortedMap<String, Tensor> asMap() {
        return tensors;
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new MissingTensor(name);
        }
        return t;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public int size() {
        return tensors.size();
    }

    /** The canonical encoding (docs/FORMATS.md, "named tensors"). */
    public byte[] canonicalBytes() {
        return CanonicalEncoding.encode(this);
    }

    /** SHA-256 of {@link #canonicalBytes()}: the input digest when these are a job's inputs. */
    public ContentDigest digest() {
        return ContentDigest.of(canonicalBytes());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamedTensors other && tensors.equals(other.tensors);
    }

    @Override
    public int hashCode() {
        return tensors.hashCode();
    }

    @Override
    public String toString() {
        return "NamedTensors" + tensors;
    }
}
