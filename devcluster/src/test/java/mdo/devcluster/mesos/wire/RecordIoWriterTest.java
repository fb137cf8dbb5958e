package mdo.devcluster.mesos.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import mdo.testkit.Payloads;
import org.junit.jupiter.api.Test;

/** The framing against stout's own test vector, and lengths in bytes, not characters. */
class RecordIoWriterTest {
  @Test
  void writesStoutsTestVectorByteForByte() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RecordIoWriter writer = new RecordIoWriter(out);
    for (String record : new String[] {"hello!", "", " ", "13 characters"}) {
      writer.write(record.getBytes(StandardCharsets.UTF_8));
    }
    // recordio_stout_test_vector.bin holds the bytes of the expected literal of stout's RecordIOTest.Encode.
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(Payloads.mesos("recordio_stout_test_vector.bin"));
  }

  @Test
  void countsEncodedBytes() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String error = "{\"type\":\"ERROR\",\"error\":{\"message\":\"Rôle «prod» refusé\"}}";
    new RecordIoWriter(out).write(error.getBytes(StandardCharsets.UTF_8));
    assertThat(error).hasSize(57);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("61\n" + error);
  }
}
