package mdo.guestutils.bench;

import java.time.Duration;
import mdo.guestutils.GatewayReader;
import mdo.guestutils.JetcdReader;
import mdo.guestutils.RegistryReader;
import mdo.registry.Etcd;
import mdo.registry.EtcdSettings;

/** In a fresh JVM: the time of a first registry read through the JSON gateway or through jetcd (client included). */
public final class OneShot {
  public static void main(String[] args) throws Exception {
    long start = System.nanoTime();
    EtcdSettings settings = EtcdSettings.of(args[1]);
    RegistryReader reader = args[0].equals("jetcd")
        ? new JetcdReader(Etcd.client(settings), args[2], Duration.ofSeconds(10), true)
        : new GatewayReader(args[2], settings, Duration.ofSeconds(10));
    int n = reader.read("zookeeper").instances().size();
    long ms = (System.nanoTime() - start) / 1_000_000;
    reader.close();
    System.out.println(ms + " " + n);
    System.exit(0);
  }

  private OneShot() {}
}
