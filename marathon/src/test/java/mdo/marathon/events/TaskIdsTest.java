package mdo.marathon.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TaskIdsTest {
  @Test
  void marathon06TaskIdIsItsOwnInstance() {
    assertThat(TaskIds.instanceId("my-app_0-1396592784349")).isEqualTo("my-app_0-1396592784349");
    assertThat(TaskIds.incarnation("my-app_0-1396592784349")).isZero();
  }

  @Test
  void marathon07To17TaskIdMapsToMarathonInstanceId() {
    assertThat(TaskIds.instanceId("test-app.5dd78972-6771-11e5-94e1-be5b2935a987"))
        .isEqualTo("test-app.marathon-5dd78972-6771-11e5-94e1-be5b2935a987");
    // app id segments may contain dots: only the trailing uuid is the task part
    assertThat(TaskIds.instanceId("web.v2_api.5dd78972-6771-11e5-94e1-be5b2935a987"))
        .isEqualTo("web.v2_api.marathon-5dd78972-6771-11e5-94e1-be5b2935a987");
  }

  @Test
  void residentTaskAttemptBelongsToTheSameInstance() {
    assertThat(TaskIds.instanceId("db.5dd78972-6771-11e5-94e1-be5b2935a987.3"))
        .isEqualTo("db.marathon-5dd78972-6771-11e5-94e1-be5b2935a987");
  }

  @Test
  void marathon18RelaunchesKeepTheInstanceIdAndBumpTheIncarnation() {
    String first = "myGroup_myApp.instance-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6._app.1";
    String second = "myGroup_myApp.instance-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6._app.2";
    assertThat(TaskIds.instanceId(first)).isEqualTo(TaskIds.instanceId(second))
        .isEqualTo("myGroup_myApp.instance-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6");
    assertThat(TaskIds.incarnation(first)).isEqualTo(1);
    assertThat(TaskIds.incarnation(second)).isEqualTo(2);
  }

  @Test
  void podTaskIdMapsToItsInstance() {
    assertThat(TaskIds.instanceId("pods_web.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c.nginx"))
        .isEqualTo("pods_web.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c");
  }

  @Test
  void instanceIdsAreRecognisedAndReturnedUnchanged() {
    String id = "my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c";
    assertThat(TaskIds.isInstanceId(id)).isTrue();
    assertThat(TaskIds.instanceId(id)).isEqualTo(id);
    assertThat(TaskIds.isInstanceId("some_app.marathon-49d976d3-9c6f-11e6-93cb-0242216b9f0d")).isTrue();
    assertThat(TaskIds.isInstanceId("test-app.5dd78972-6771-11e5-94e1-be5b2935a987")).isFalse();
  }
}
