package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import mdo.testkit.Chromium;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /info rendered by a real browser (headless Chromium), not just fetched: what a person would see. */
class InfoPageChromiumTest {
  private final Harness h = new Harness(EtcdServer.shared().endpoint());

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void infoPageRendersEveryInstanceWithItsPortsAndEscapesWhatMarathonSends() throws Exception {
    ObjectNode app = h.app("web", Harness.V1);
    ((ObjectNode) app.path("labels")).put("note", "<script>document.title='pwned'</script><b>x</b>");
    h.marathon.putApp(app);
    h.marathon.putTask(h.task(1)).putTask(h.task(2));
    h.start();
    h.awaitRegistry(r -> r.size() == 2);

    String dom = Chromium.dumpDom(h.base() + "/info", 0);

    assertThat(dom).contains("<title>mdo registry: " + h.env + "</title>");
    assertThat(dom).contains("data-service=\"web\"");
    assertThat(dom).contains("data-task=\"" + h.taskId(1) + "\"", "data-task=\"" + h.taskId(2) + "\"");
    assertThat(dom).contains("10.0.0.1:31001", "10.0.0.2:31002");
    assertThat(dom).contains("web: <code>"); // the port's name
    assertThat(dom).contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;");
    assertThat(dom).doesNotContain("<script>").doesNotContain("pwned</title>").doesNotContain("<b>x</b>");
  }
}
