package mdo.subscriber.callbacks;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdo.registry.InstanceRecord;

/**
 * One registration, as stored at {@code /mdo/<env>/callbacks/<service>/<id>}. The secret is kept so signatures survive
 * a subscriber restart; it is returned once at registration and never listed or logged. {@code deliveredMembers} is
 * what the receiver last acknowledged, so the next notification's added/removed are relative to what it knows, even
 * across restarts.
 *
 * @param service the service whose membership changes are delivered
 * @param taskId the registering task; the registration goes when that task's record does (required since
 *     registrations are tied to live tasks; older stored ones without it are dropped on load)
 * @param owner the registering task's service: its registration token may list and delete the registration
 *     ({@code null} in registrations stored before owners were recorded: only the admin may)
 * @param createdAt ISO-8601; {@code null} or unreadable in hand-written or old records (then the grace period runs from
 *     when this subscriber first saw it)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CallbackRegistration(
    String id, String service, String url, String taskId, String owner, String secret, String createdAt,
    Long deliveredRevision, List<InstanceRecord> deliveredMembers) {

  public CallbackRegistration {
    deliveredMembers = deliveredMembers == null ? List.of() : List.copyOf(deliveredMembers);
  }

  public CallbackRegistration delivered(long revision, List<InstanceRecord> members) {
    return new CallbackRegistration(id, service, url, taskId, owner, secret, createdAt, revision, members);
  }

  /** What {@code GET /v1/callbacks} shows: everything but the secret and the member copies. */
  public Map<String, Object> publicView() {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", id);
    view.put("service", service);
    view.put("url", url);
    if (taskId != null) view.put("taskId", taskId);
    if (owner != null) view.put("owner", owner);
    view.put("createdAt", createdAt);
    if (deliveredRevision != null) view.put("deliveredRevision", deliveredRevision);
    return view;
  }

  @Override
  public String toString() {
    return "CallbackRegistration[" + service + "/" + id + ", task=" + taskId + ", owner=" + owner + ", secret=***]";
  }
}
