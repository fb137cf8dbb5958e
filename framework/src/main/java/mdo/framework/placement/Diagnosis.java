package mdo.framework.placement;

import java.util.ArrayList;
import java.util.List;

/**
 * Why no agent took a service's task: every offered agent is counted under the first check it fails, in Marathon's
 * order (constraints, then cpus, mem, disk, ports), and each check that turned agents away becomes one phrase.
 */
final class Diagnosis {
  private Diagnosis() {}

  static Unplaced explain(ServiceRun run, OfferBook book, List<String> waiting) {
    String service = run.tasks.service();
    if (book.size() == 0) return new Unplaced(service, waiting, "no offers", List.of(new Unplaced.Rejection("no offers", 0)));
    List<BoundRule> rules = new ArrayList<>(run.staticRules);
    rules.addAll(run.dynamicRules);
    Demand d = run.demand;
    int[] hard = d.hardPorts();
    // stages: per rule "lacks the field" and "fails", then cpus, mem, disk, each fixed port, the port count
    int resources = 2 * rules.size();
    int stages = resources + 3 + hard.length + 1;
    int[] agents = new int[stages];
    long[] largest = new long[stages];
    for (int a = 0; a < book.size(); a++) {
      int stage = firstFailure(a, rules, book, d, resources);
      if (stage < 0) continue;
      agents[stage]++;
      largest[stage] = Math.max(largest[stage], offered(a, stage, book, resources, hard.length));
    }
    List<Unplaced.Rejection> rejections = new ArrayList<>();
    for (int s = 0; s < stages; s++) {
      if (agents[s] == 0) continue;
      String phrase;
      if (s < resources) {
        BoundRule r = rules.get(s / 2);
        phrase = "constraint " + r.constraint() + ": " + count(agents[s])
            + (s % 2 == 0 ? " " + plural(agents[s], "has", "have") + " no " + r.field().label() : " " + fails(r, agents[s]));
      } else if (s < resources + 3) {
        String[] names = {"cpus", "mem", "disk"};
        long need = s == resources ? d.cpus() : s == resources + 1 ? d.mem() : d.disk();
        phrase = "insufficient " + names[s - resources] + ": needs " + Scalars.show(need) + ", largest offer "
            + Scalars.show(largest[s]) + " (" + count(agents[s]) + ")";
      } else if (s < stages - 1) {
        int port = hard[s - resources - 3];
        phrase = agents[s] == book.size() ? "no agent with port " + port + " free"
            : "port " + port + " not free on " + count(agents[s]);
      } else {
        phrase = "not enough free ports: needs " + d.portCount() + ", largest offer " + largest[s] + " (" + count(agents[s]) + ")";
      }
      rejections.add(new Unplaced.Rejection(phrase, agents[s]));
    }
    if (rejections.isEmpty()) {
      // the placer and this diagnosis disagree: say so rather than leave the task without a reason
      rejections.add(new Unplaced.Rejection("not placed although " + count(book.size()) + " pass every check", book.size()));
    }
    String reason = String.join("; ", rejections.stream().map(Unplaced.Rejection::reason).toList());
    return new Unplaced(service, waiting, reason, rejections);
  }

  private static int firstFailure(int a, List<BoundRule> rules, OfferBook book, Demand d, int resources) {
    for (int i = 0; i < rules.size(); i++) {
      BoundRule r = rules.get(i);
      if (r.allows(a)) continue;
      boolean lacks = r.field().agentValue[a] == FieldValues.MISSING;
      return 2 * i + (lacks ? 0 : 1);
    }
    if (book.cpus[a] < d.cpus()) return resources;
    if (book.mem[a] < d.mem()) return resources + 1;
    if (book.disk[a] < d.disk()) return resources + 2;
    int[] hard = d.hardPorts();
    for (int i = 0; i < hard.length; i++) if (!book.ports[a].contains(hard[i])) return resources + 3 + i;
    if (book.ports[a].free() < d.portCount()) return resources + 3 + hard.length;
    return -1;
  }

  /** What the agent has of the resource a stage checks (for "largest offer"). */
  private static long offered(int a, int stage, OfferBook book, int resources, int hardPorts) {
    if (stage == resources) return book.cpus[a];
    if (stage == resources + 1) return book.mem[a];
    if (stage == resources + 2) return book.disk[a];
    if (stage == resources + 3 + hardPorts) return book.ports[a].free();
    return 0;
  }

  private static String fails(BoundRule r, int n) {
    Constraint c = r.constraint();
    String field = r.field().label();
    boolean host = field.equals("hostname");
    return switch (c.operator()) {
      case UNIQUE -> host ? plural(n, "already runs", "already run") + " one"
          : plural(n, "is", "are") + " in a " + field + " that already has one";
      case MAX_PER -> host ? plural(n, "already runs", "already run") + " " + c.value()
          : plural(n, "is", "are") + " in a " + field + " that already has " + c.value();
      case GROUP_BY -> plural(n, "is", "are") + " in a " + field + " that has its share";
      case CLUSTER -> {
        String target = c.value() == null || c.value().isEmpty() ? r.field().values.name(r.rule().first()) : c.value();
        yield (host ? plural(n, "is not", "are not") + " " : plural(n, "does not", "do not") + " have " + field + " ") + target;
      }
      case IS -> (host ? plural(n, "is not", "are not") + " " : plural(n, "does not", "do not") + " have " + field + " ")
          + c.isTarget();
      case LIKE -> plural(n, "does not", "do not") + " match";
      case UNLIKE -> plural(n, "matches", "match");
    };
  }

  private static String count(int n) {
    return n + (n == 1 ? " agent" : " agents");
  }

  private static String plural(int n, String one, String many) {
    return n == 1 ? one : many;
  }
}
