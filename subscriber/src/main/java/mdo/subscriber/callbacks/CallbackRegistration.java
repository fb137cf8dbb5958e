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
 * @param taskId the registering instance; the registration goes when that instance's record does ({@code null}: kept
 *     until deleted)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CallbackRegistration(
    String id, String service, String url, String taskId, String secret, String createdAt, Long deliveredRevision,
    List<InstanceRecord> deliveredMembers) {

  public CallbackRegistration {
    deliveredMembers = deliveredMembers == null ? List.of() : List.copyOf(deliveredMembers);
  }

  public CallbackRegistration delivered(long revision, List<InstanceRecord> members) {
    return new CallbackRegistration(id, service, url, taskId, secret, createdAt, revision, members);
  }

  /** What {@code GET /v1/callbacks} shows: everything but the secret and the member copies. */
  public Map<String, Object> publicView() {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", id);
    view.put("service", service);
    view.put("url", url);
    if (taskId != null) view.put("taskId", taskId);
    view.put("createdAt", createdAt);
    if (deliveredRevision != null) view.put("deliveredRevision", deliveredRevision);
    return view;
  }

  @Override
  public String toString() {
    return "CallbackRegistration[" + service + "/" + id + ", task=" + taskId + ", secret=***]";
  }
}
