package io.verdict.node.models;

import io.verdict.node.RequestRejected;
import io.verdict.sharding.model.Model;
import io.verdict.sharding.model.ModelNames;
import io.verdict.sharding.model.ModelView;
import io.verdict.sharding.model.ModelVersion;
import io.verdict.sharding.model.ResolvedModel;
import io.verdict.sharding.model.VersionStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Finds models: by name, name@version, or artifact digest. Names come from the journal (the
 * persistence ids of Model entities); each model's versions from its entity. Digest look-ups scan
 * the models, which suits the tens of models a node hosts; a read-side index replaces the scan
 * when there are many.
 */
public final class ModelCatalog {

    private static final String PREFIX = Model.ENTITY_KEY.name() + "|";

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final CurrentPersistenceIdsQuery journal;
    private final Duration timeout;

    /** @param readJournal the plugin id of the read journal of the node's journal */
    public ModelCatalog(ActorSystem<?> system, String readJournal, Duration timeout) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.journal = PersistenceQuery.get(system)
                .getReadJournalFor(CurrentPersistenceIdsQuery.class, readJournal);
        this.timeout = timeout;
    }

    /** The model's view; NOT_FOUND when it has no versions. */
    public CompletionStage<ModelView> get(String name) {
        return sharding.entityRefFor(Model.ENTITY_KEY, name)
                .<ModelView>ask(Model.Get::new, timeout)
                .thenApply(view -> {
                    if (view.versions().isEmpty()) {
                        throw RequestRejected.notFound("model '" + name + "' is not published");
                    }
                    return view;
                });
    }

    /** The model with a version holding {@code digest} (the first by name); NOT_FOUND when none does. */
    public CompletionStage<ModelView> holding(String digest) {
        return list().thenApply(models -> models.stream()
                .filter(m -> m.versions().stream().anyMatch(v -> v.spec().modelDigest().equals(digest)))
                .findFirst()
                .orElseThrow(() -> RequestRejected.notFound("no published model has digest " + digest)));
    }

    /** Every published model, by name. */
    public CompletionStage<List<ModelView>> list() {
        return journal.currentPersistenceIds()
                .filter(id -> id.startsWith(PREFIX))
                .map(id -> id.substring(PREFIX.length()))
                .mapAsync(4, name -> sharding.entityRefFor(Model.ENTITY_KEY, name)
                        .<ModelView>ask(Model.Get::new, timeout))
                .filter(view -> !view.versions().isEmpty())
                .runWith(Sink.seq(), system)
                .thenApply(views -> {
                    List<ModelView> sorted = new ArrayList<>(views);
                    sorted.sort(Comparator.comparing(ModelView::name));
                    return List.copyOf(sorted);
                });
    }

    /**
     * Resolves a model reference: {@code name} (latest active version), {@code name@version}, or
     * {@code sha256:<hex>} (the version with that artifact digest). Unknown → NOT_FOUND, retired →
     * FAILED_PRECONDITION, malformed → INVALID_ARGUMENT.
     */
    public CompletionStage<ResolvedModel> resolve(String ref) {
        if (ref == null || ref.isBlank()) {
            return CompletableFuture.failedFuture(RequestRejected.invalid(
                    "model is required: a name, name@version or sha256:<digest>"));
        }
        String text = ref.strip();
        if (text.startsWith("sha256:")) {
            return byDigest(text);
        }
        int at = text.indexOf('@');
        String name = at < 0 ? text : text.substring(0, at);
        String version = at < 0 ? null : text.substring(at + 1);
        return sharding.entityRefFor(Model.ENTITY_KEY, name)
                .<ResolvedModel>askWithStatus(replyTo -> new Model.Resolve(version, replyTo), timeout);
    }

    /**
     * Retires {@code name@version} with {@code reason}; replies with the model after retirement.
     * Unknown → NOT_FOUND, already retired → FAILED_PRECONDITION, malformed → INVALID_ARGUMENT.
     */
    public CompletionStage<ModelView> retire(String ref, String reason) {
        String text = ref == null ? "" : ref.strip();
        int at = text.indexOf('@');
        if (at <= 0 || at == text.length() - 1) {
            return CompletableFuture.failedFuture(RequestRejected.invalid("the version to retire must be named as"
                    + " name@version, got '" + text + "'"));
        }
        String name = text.substring(0, at);
        String version = text.substring(at + 1);
        Optional<String> problem = ModelNames.nameProblem(name).or(() -> ModelNames.versionProblem(version));
        if (problem.isPresent()) {
            return CompletableFuture.failedFuture(RequestRejected.invalid(problem.get()));
        }
        return sharding.entityRefFor(Model.ENTITY_KEY, name)
                .<ModelView>askWithStatus(replyTo -> new Model.Retire(version, reason, replyTo), timeout);
    }

    /**
     * A digest names bytes, not a version: it resolves to an ACTIVE version holding them (the first
     * in model-name and then publication order). Only when every version holding them is retired is
     * it refused, FAILED_PRECONDITION, naming them; retiring one of two versions that hold the same
     * bytes therefore leaves the digest usable through the other (retire both to stop it).
     */
    private CompletionStage<ResolvedModel> byDigest(String digest) {
        return list().thenApply(models -> {
            List<String> retired = new ArrayList<>();
            for (ModelView model : models) {
                for (ModelVersion v : model.versions()) {
                    if (!v.spec().modelDigest().equals(digest)) {
                        continue;
                    }
                    if (v.status() == VersionStatus.ACTIVE) {
                        return new ResolvedModel(model.name(), v.version(), v.spec());
                    }
                    String why = v.retireReason() == null || v.retireReason().isEmpty() ? "" : " (" + v.retireReason() + ")";
                    retired.add(model.name() + "@" + v.version() + why);
                }
            }
            if (!retired.isEmpty()) {
                throw new RequestRejected(RequestRejected.Kind.PRECONDITION, "no active version holds " + digest
                        + ": " + String.join(", ", retired) + (retired.size() == 1 ? " is retired" : " are retired"));
            }
            throw RequestRejected.notFound("no published model has digest " + digest);
        });
    }
}
