package mdo.marathon;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marathon's full listings ({@code {"apps": [...]}}, {@code {"tasks": [...]}}) read item by item as the body streams
 * in, so a listing of 50,000 tasks (tens of megabytes) is never held as text or as a JSON tree, and items nobody wants
 * are dropped at once. While a listing takes long, its progress is logged every {@link #PROGRESS_EVERY_NANOS}.
 */
final class Listings {
  private static final Logger log = LoggerFactory.getLogger(Listings.class);
  static final long PROGRESS_EVERY_NANOS = 10_000_000_000L;

  /** Reads one item; the parser stands on its {@code START_OBJECT}. */
  interface ItemReader<T> {
    T read(JsonParser parser) throws IOException;
  }

  private Listings() {}

  /**
   * The items of the array {@code field} that {@code keep} accepts.
   *
   * @throws IOException the body ended early or could not be read (the request failed)
   * @throws MarathonException the body is not the JSON of a listing
   */
  static <T> List<T> items(InputStream body, String field, String path, ItemReader<T> reader, Predicate<T> keep)
      throws IOException {
    Progress in = new Progress(body, path);
    List<T> out = new ArrayList<>();
    try (JsonParser p = MarathonClient.JSON.getFactory().createParser(in)) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw notAListing(path, "expected a JSON object");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (name.equals(field) && t == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            T item = reader.read(p);
            in.items++;
            if (keep.test(item)) out.add(item);
          }
        } else {
          p.skipChildren();
        }
      }
    } catch (JsonEOFException e) {
      throw new IOException("the answer ended early after " + in.bytes + " bytes", e);
    } catch (JsonProcessingException e) {
      throw notAListing(path, e.getOriginalMessage());
    }
    in.done();
    return out;
  }

  private static MarathonException notAListing(String path, String why) {
    return new MarathonException(200, "GET", path, "response is not a listing: " + why, List.of(), List.of());
  }

  /** Counts what a listing read so far and logs it while it takes long. */
  private static final class Progress extends FilterInputStream {
    private final String path;
    private final long started = System.nanoTime();
    private long lastLog = started;
    long bytes;
    int items;

    Progress(InputStream in, String path) {
      super(in);
      this.path = path;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) counted(1);
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) counted(n);
      return n;
    }

    private void counted(int n) {
      bytes += n;
      long now = System.nanoTime();
      if (now - lastLog >= PROGRESS_EVERY_NANOS) {
        lastLog = now;
        log.info("listing: GET {}: {} items, {} so far after {} s", path, items, megabytes(bytes),
            (now - started) / 1_000_000_000);
      }
    }

    void done() {
      long took = System.nanoTime() - started;
      if (took >= PROGRESS_EVERY_NANOS) {
        log.info("listed: GET {}: {} items, {} in {} s", path, items, megabytes(bytes), took / 1_000_000_000);
      }
    }

    private static String megabytes(long bytes) {
      return String.format("%.1f MB", bytes / 1e6);
    }
  }
}
