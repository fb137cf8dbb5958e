package mdo.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import mdo.config.MarathonSettings;
import mdo.testkit.MarathonResponses;
import mdo.testkit.Payloads;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

/** Marathon's launch queue as {@code /info} shows it, from Marathon's own example ({@code queue.json}). */
class WaitingTest {
  @Test
  void summariesSayWhyInstancesWait() {
    ObjectNode queue = Payloads.marathonJson("queue_get_response.json");
    Waiting idle = Waiting.from(queue.path("queue").get(0));
    Waiting short2 = Waiting.from(queue.path("queue").get(1));

    assertThat(idle.count()).isEqualTo(1);
    assertThat(idle.summary()).isEqualTo("1 instance waiting: no offer declined");
    assertThat(short2.declined()).containsExactly(Map.entry("InsufficientCpus", 75),
        Map.entry("InsufficientMemory", 15), Map.entry("InsufficientDisk", 10));
    assertThat(short2.summary()).isEqualTo("2 instances waiting: InsufficientCpus on 75 offers, InsufficientMemory on"
        + " 15 offers, InsufficientDisk on 10 offers");

    ObjectNode delayed = (ObjectNode) queue.path("queue").get(0).deepCopy();
    ((ObjectNode) delayed.path("delay")).put("timeLeftSeconds", 12).put("overdue", false);
    assertThat(Waiting.from(delayed).summary()).isEqualTo("1 instance waiting: launch delayed 12 s after failures");
  }

  /** Only this environment's mdo apps, by service name. */
  @Test
  void theViewListsTheWaitingServicesOfItsEnvironment() throws Exception {
    ObjectNode queue = Payloads.marathonJson("queue_get_response.json");
    ((ObjectNode) queue.path("queue").get(1).path("app")).put("id", "/prod/kafka").putObject("labels")
        .put("MDO_SERVICE", "kafka").put("MDO_ENVIRONMENT", "prod");
    try (MockWebServer marathon = new MockWebServer()) {
      marathon.start();
      marathon.enqueue(MarathonResponses.json(200, queue.toString()));
      MarathonClusterView view = new MarathonClusterView(
          new MarathonClient(MarathonSettings.of(marathon.url("/").toString())), "prod");

      Map<String, Waiting> waiting = view.waiting();

      assertThat(waiting).containsOnlyKeys("kafka");
      assertThat(waiting.get("kafka").appId()).isEqualTo("/prod/kafka");
      assertThat(marathon.takeRequest().getTarget()).isEqualTo("/v2/queue");
    }
  }
}
