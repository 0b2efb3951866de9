package io.verdict.sharding.model;

import io.verdict.persistence.CborSerializable;
import java.util.List;

/**
 * A model as its entity knows it.
 *
 * @param name the model name
 * @param versions every version in publish order, retired ones included
 * @param latest the newest ACTIVE version label, or null if there is none
 */
public record ModelView(String name, List<ModelVersion> versions, String latest) implements CborSerializable {
    public ModelView {
        versions = List.copyOf(versions);
    }
}
