package mdo.framework.placement;

import java.util.List;

/** What one task of a {@link PendingTasks} takes: scalars in thousandths, as {@link OfferBook} counts them. */
record Demand(long cpus, long mem, long disk, int[] hardPorts, int dynamicPorts) {

  static Demand of(PendingTasks tasks) {
    List<Integer> hard = tasks.hardPorts();
    return new Demand(Scalars.toMillis(tasks.cpus()), Scalars.toMillis(tasks.mem()), Scalars.toMillis(tasks.disk()),
        hard.stream().mapToInt(Integer::intValue).toArray(), tasks.dynamicPorts());
  }

  int portCount() {
    return hardPorts.length + dynamicPorts;
  }
}
