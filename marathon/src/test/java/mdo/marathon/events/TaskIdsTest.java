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
  void theUnderscoreSeparatorOfOldTaskIdsMapsToTheSameInstance() {
    // Task.Id.LegacyId: runSpecId.safePath + separator + uuid, the separator "." or "_"
    assertThat(TaskIds.instanceId("prod_web_5dd78972-6771-11e5-94e1-be5b2935a987"))
        .isEqualTo("prod_web.marathon-5dd78972-6771-11e5-94e1-be5b2935a987");
    assertThat(TaskIds.instanceId("prod_web_5dd78972-6771-11e5-94e1-be5b2935a987.2"))
        .isEqualTo("prod_web.marathon-5dd78972-6771-11e5-94e1-be5b2935a987");
    assertThat(TaskIds.incarnation("prod_web_5dd78972-6771-11e5-94e1-be5b2935a987.2")).isEqualTo(3);
  }

  /**
   * Marathon 1.8 relaunches an instance started by 1.7 under its old task id with a number appended
   * ({@code Task.Id.nextIncarnationFor}: LegacyId to LegacyResidentId attempt 1, EphemeralTaskId to incarnation 1).
   * The unnumbered task was the first, so the relaunches count from 2 and take over its ordinal.
   */
  @Test
  void aTaskOf17RelaunchedBy18IsTheSecondOfItsInstance() {
    String before = "prod_zk.5dd78972-6771-11e5-94e1-be5b2935a987";
    String relaunched = before + ".1";
    assertThat(TaskIds.instanceId(relaunched)).isEqualTo(TaskIds.instanceId(before))
        .isEqualTo("prod_zk.marathon-5dd78972-6771-11e5-94e1-be5b2935a987");
    assertThat(TaskIds.incarnation(before)).isZero();
    assertThat(TaskIds.incarnation(relaunched)).isEqualTo(2);
    assertThat(TaskIds.incarnation(before + ".2")).isEqualTo(3);
    assertThat(TaskIds.incarnation("prod_zk.marathon-5dd78972-6771-11e5-94e1-be5b2935a987._app")).isZero();
    assertThat(TaskIds.incarnation("prod_zk.marathon-5dd78972-6771-11e5-94e1-be5b2935a987._app.1")).isEqualTo(2);
    // a 1.8+ instance's first task is already numbered 1
    assertThat(TaskIds.incarnation("prod_zk.instance-5dd78972-6771-11e5-94e1-be5b2935a987._app.1")).isEqualTo(1);
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
