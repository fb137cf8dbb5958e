package mdo.leader;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Who leads a role, as published in its leader key: what standbys show in {@code /health} and where they forward
 * requests only the leader serves.
 *
 * @param id the process ({@code host/pid/instance}); unique per {@link LeaderElection}
 * @param url where the process serves HTTP (its {@code /health}, {@code /v1/...})
 * @param since when it was elected (ISO-8601)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Leader(String id, String url, String since) {}
