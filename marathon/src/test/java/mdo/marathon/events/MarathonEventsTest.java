package mdo.marathon.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import mdo.marathon.events.MarathonEvent.AppsChanged;
import mdo.marathon.events.MarathonEvent.HealthCheckFailed;
import mdo.marathon.events.MarathonEvent.InstanceCondition;
import mdo.marathon.events.MarathonEvent.InstanceHealth;
import mdo.marathon.events.MarathonEvent.Other;
import mdo.marathon.events.MarathonEvent.TaskStatus;
import mdo.marathon.events.MarathonEvent.UnhealthyKill;
import mdo.testkit.Payloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MarathonEventsTest {
  private static MarathonEvent parse(String fixture) {
    return MarathonEvents.parse(Payloads.marathon("events/" + fixture));
  }

  @Test
  void statusUpdateFromAnSseTranscriptCarriesTaskAndPorts() {
    TaskStatus e = (TaskStatus) parse("status_update_event.sse-task-running.json");
    assertThat(e.appId()).isEqualTo("/test-app");
    assertThat(e.taskId()).isEqualTo("test-app.5dd78972-6771-11e5-94e1-be5b2935a987");
    assertThat(e.instanceId()).isEqualTo("test-app.marathon-5dd78972-6771-11e5-94e1-be5b2935a987");
    assertThat(e.taskStatus()).isEqualTo("TASK_RUNNING");
    assertThat(e.host()).isEqualTo("srv4.hw.ca1.mesosphere.com");
    assertThat(e.agentId()).isEqualTo("20150707-153709-201330860-5050-12052-S0");
    assertThat(e.ports()).containsExactly(31182);
    assertThat(e.ipAddresses()).isEmpty(); // <= 1.3 omitted the field
    assertThat(e.appVersion()).isEqualTo("2015-09-11T22:11:03.156Z");
    assertThat(e.timestamp()).isEqualTo(Instant.parse("2015-09-30T12:47:11.286Z"));
  }

  @Test
  void statusUpdateOfTheDocsWithAMarathon06TaskId() {
    TaskStatus e = (TaskStatus) parse("status_update_event.json");
    assertThat(e.taskId()).isEqualTo("my-app_0-1396592784349");
    assertThat(e.instanceId()).isEqualTo(e.taskId());
    assertThat(e.message()).isNull();
  }

  @Test
  void statusUpdateOf18WithIpAddressesBuiltFromTheFieldList() {
    // No verbatim 1.4+ example exists (SOURCES.md); fields and order from API.md §1.2.
    TaskStatus e = (TaskStatus) MarathonEvents.parse("{\"slaveId\":\"agent-S1\",\"taskId\":"
        + "\"prod_web.instance-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6._app.2\",\"taskStatus\":\"TASK_KILLING\","
        + "\"message\":\"\",\"appId\":\"/prod/web\",\"host\":\"10.0.0.5\",\"ipAddresses\":[{\"ipAddress\":"
        + "\"172.17.0.3\",\"protocol\":\"IPv4\"}],\"ports\":[31005,31006],\"version\":\"2026-01-01T00:00:00.000Z\","
        + "\"eventType\":\"status_update_event\",\"timestamp\":\"2026-01-01T00:00:01.000Z\"}");
    assertThat(e.instanceId()).isEqualTo("prod_web.instance-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6");
    assertThat(e.ipAddresses()).containsExactly("172.17.0.3");
    assertThat(e.ports()).containsExactly(31005, 31006);
  }

  @Test
  void instanceChangedCarriesTheCondition() {
    InstanceCondition e = (InstanceCondition) parse("instance_changed_event.json");
    assertThat(e.condition()).isEqualTo("Running");
    assertThat(e.appId()).isEqualTo("/app-id");
    assertThat(e.instanceId()).isEqualTo("my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c");
  }

  @Test
  void unknownInstanceTerminatedIsAnInstanceCondition() {
    InstanceCondition e = (InstanceCondition) parse("unknown_instance_terminated_event.json");
    assertThat(e.type()).isEqualTo("unknown_instance_terminated_event");
  }

  @Test
  void instanceHealthChangedOfTheDocsAndTheChangelog() {
    InstanceHealth docs = (InstanceHealth) parse("instance_health_changed_event.json");
    assertThat(docs.healthy()).isTrue();
    InstanceHealth changelog = (InstanceHealth) parse("instance_health_changed_event.changelog-1.4.json");
    assertThat(changelog.instanceId()).isEqualTo("some_app.marathon-49d976d3-9c6f-11e6-93cb-0242216b9f0d");
    assertThat(changelog.appId()).isEqualTo("/some/app");
  }

  @Test
  void instanceHealthWithNullHealthyIsUnknown() {
    InstanceHealth e = (InstanceHealth) MarathonEvents.parse("{\"instanceId\":\"a.instance-c7c311a4-b669-11e6-a48f-"
        + "0ea4f4b1778c\",\"runSpecId\":\"/a\",\"healthy\":null,\"runSpecVersion\":\"2026-01-01T00:00:00.000Z\","
        + "\"timestamp\":\"2026-01-01T00:00:00.000Z\",\"eventType\":\"instance_health_changed_event\"}");
    assertThat(e.healthy()).isNull();
  }

  @Test
  void healthStatusChangedReadsTaskIdBefore14AndInstanceIdAfter() {
    InstanceHealth old = (InstanceHealth) parse("health_status_changed_event.pre-1.4.json");
    assertThat(old.taskId()).isEqualTo("my-app_0-1396592784349");
    assertThat(old.instanceId()).isEqualTo("my-app_0-1396592784349");
    assertThat(old.healthy()).isTrue();
    InstanceHealth now = (InstanceHealth) parse("health_status_changed_event.json");
    assertThat(now.taskId()).isNull();
    assertThat(now.instanceId()).isEqualTo("my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c");
  }

  @Test
  void failedHealthCheckReadsAllThreeKeyLayouts() {
    HealthCheckFailed v13 = (HealthCheckFailed) parse("failed_health_check_event.json");
    assertThat(v13.taskId()).isEqualTo("my-app_0-1396592784349");
    // 1.4.x: key instanceId; 1.5+: key taskId holding an instance id (API.md §1.2; no verbatim example exists)
    String v14 = "{\"appId\":\"/my-app\",\"instanceId\":\"my-app.marathon-5dd78972-6771-11e5-94e1-be5b2935a987\","
        + "\"healthCheck\":{},\"eventType\":\"failed_health_check_event\",\"timestamp\":\"2017-01-01T00:00:00.000Z\"}";
    String v15 = v14.replace("\"instanceId\"", "\"taskId\"");
    for (String json : new String[] {v14, v15}) {
      HealthCheckFailed e = (HealthCheckFailed) MarathonEvents.parse(json);
      assertThat(e.instanceId()).isEqualTo("my-app.marathon-5dd78972-6771-11e5-94e1-be5b2935a987");
      assertThat(e.taskId()).isNull();
    }
  }

  @Test
  void unhealthyKillOf14AndItsPre14Name() {
    UnhealthyKill now = (UnhealthyKill) parse("unhealthy_instance_kill_event.json");
    assertThat(now.instanceId()).isEqualTo("my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c");
    UnhealthyKill old = (UnhealthyKill) parse("unhealthy_task_kill_event.json");
    assertThat(old.taskId()).isEqualTo("my-app_0-1396592784349");
    assertThat(old.instanceId()).isEqualTo("my-app_0-1396592784349");
  }

  @Test
  void appChangesNameTheirApps() {
    assertThat(((AppsChanged) parse("api_post_event.json")).appIds()).containsExactly("/my-app");
    assertThat(((AppsChanged) parse("app_terminated_event.json")).appIds()).containsExactly("/my-app");
  }

  @ParameterizedTest
  @ValueSource(strings = {"deployment_info.json", "deployment_info.heavy-1.4.json", "deployment_step_success.json",
      "deployment_step_success.heavy-1.4.json", "deployment_step_failure.heavy-1.4.json"})
  void deploymentEventsNameTheirAppsInHeavyAndDocsShapes(String fixture) {
    assertThat(((AppsChanged) parse(fixture)).appIds()).containsExactly("/my-app");
  }

  @Test
  void lightDeploymentPlanOf18NamesItsApps() {
    // light format from API.md §1.2 (no verbatim 1.8 example exists)
    AppsChanged e = (AppsChanged) MarathonEvents.parse("{\"id\":\"d1\",\"plan\":{\"id\":\"d1\",\"steps\":[{\"actions\":"
        + "[{\"action\":\"StartApplication\",\"app\":\"/prod/web\"}]},{\"actions\":[{\"action\":\"ScaleApplication\","
        + "\"app\":\"/prod/db\"}]}],\"version\":\"2026-01-01T00:00:00.000Z\"},\"eventType\":\"deployment_success\","
        + "\"timestamp\":\"2026-01-01T00:00:00.000Z\"}");
    assertThat(e.appIds()).containsExactly("/prod/web", "/prod/db");
  }

  @Test
  void deploymentEventWithoutPlanNamesNoApp() {
    assertThat(parse("deployment_success.json").appIds()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"event_stream_attached.json", "event_stream_attached.docs-inaccurate.json",
      "framework_message_event.json", "group_change_success.json", "subscribe_event.json", "pod_created_event.json"})
  void otherEventsAreKeptAsOther(String fixture) {
    assertThat(parse(fixture)).isInstanceOf(Other.class);
  }

  @Test
  void unknownEventTypeIsOtherNotAnError() {
    assertThat(MarathonEvents.parse("{\"eventType\":\"brand_new_event\",\"timestamp\":\"2030-01-01T00:00:00.000Z\"}"))
        .isEqualTo(new Other("brand_new_event", Instant.parse("2030-01-01T00:00:00.000Z")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json", "[1,2]", "{}", "{\"eventType\":\"status_update_event\"}",
      "{\"eventType\":\"status_update_event\",\"timestamp\":\"yesterday\",\"taskId\":\"t\"}",
      "{\"eventType\":\"status_update_event\",\"timestamp\":\"2015-09-30T12:47:11.286Z\",\"appId\":\"/a\"}",
      "{\"eventType\":\"status_update_event\",\"timestamp\":\"2015-09-30T12:47:11.286Z\",\"appId\":\"a\",\"taskId\":"
          + "\"t\",\"taskStatus\":\"TASK_RUNNING\"}",
      "{\"eventType\":\"status_update_event\",\"timestamp\":\"2015-09-30T12:47:11.286Z\",\"appId\":\"/a\",\"taskId\":"
          + "\"t\",\"taskStatus\":\"TASK_RUNNING\",\"ports\":[\"x\"]}"})
  void malformedEventsAreRejectedWithAReason(String json) {
    assertThatThrownBy(() -> MarathonEvents.parse(json)).isInstanceOf(MalformedEventException.class)
        .hasMessageNotContaining("Exception");
  }
}
