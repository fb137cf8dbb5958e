package mdo.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RegistryKeysTest {
  /** The pattern segments were checked with before; the rule did not change. */
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  @Test
  void buildsKeysUnderTheEnvironmentPrefix() {
    assertThat(RegistryKeys.instance("prod", "web", "web.5dd78972-6771-11e5-94e1-be5b2935a987"))
        .isEqualTo("/mdo/prod/services/web/instances/web.5dd78972-6771-11e5-94e1-be5b2935a987");
    assertThat(RegistryKeys.callback("prod", "web", "r-1")).isEqualTo("/mdo/prod/callbacks/web/r-1");
  }

  @Test
  void refusesSegmentsThatWouldEscapeOrSplitAKey() {
    for (String bad : new String[] {null, "", ".", "..", "-x", "_x", "a/b", "a b", "ä", "a\n", "web*"}) {
      assertThatThrownBy(() -> RegistryKeys.instance("prod", "web", bad)).as(String.valueOf(bad))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid task id");
    }
    assertThatThrownBy(() -> RegistryKeys.services("../etc")).hasMessageContaining("invalid environment");
  }

  @Test
  void acceptsExactlyWhatTheSegmentPatternAccepts() {
    // ASCII plus non-ASCII letters and digits (Arabic-Indic, fullwidth, Latin-1, Cyrillic), which the pattern rejects
    String alphabet = "aZ09._-/ \n\u00e4\u0661\uff10\uff21\u0416\u00b2\u2160";
    SplittableRandom random = new SplittableRandom(4);
    for (int i = 0; i < 50_000; i++) {
      StringBuilder s = new StringBuilder();
      for (int k = random.nextInt(0, 6); k > 0; k--) s.append(alphabet.charAt(random.nextInt(alphabet.length())));
      String segment = s.toString();
      boolean accepted;
      try {
        accepted = RegistryKeys.instance("prod", "web", segment).endsWith("/instances/" + segment);
      } catch (IllegalArgumentException e) {
        accepted = false;
      }
      assertThat(accepted).as("'%s'", segment).isEqualTo(SEGMENT.matcher(segment).matches());
    }
  }

  @Test
  void instanceKeysAreTakenApartAndInvalidOnesAreToldFromOtherKeys() {
    assertThat(RegistryKeys.instancePath("prod", "/mdo/prod/services/web/instances/web.1"))
        .isEqualTo(new RegistryKeys.InstancePath("web", "web.1", true));
    assertThat(RegistryKeys.instancePath("prod", "/mdo/prod/services/bad service/instances/x").valid()).isFalse();
    assertThat(RegistryKeys.instancePath("prod", "/mdo/prod/services/web/instances/a/b").valid()).isFalse();
    assertThat(RegistryKeys.instancePath("prod", "/mdo/prod/services/web/config")).isNull();
    assertThat(RegistryKeys.instancePath("prod", "/mdo/prodx/services/web/instances/web.1")).isNull();
    assertThat(RegistryKeys.serviceOf("prod", "/mdo/prod/services/web/instances/a/b")).isNull();
    assertThat(RegistryKeys.serviceOf("prod", "/mdo/prod/services/web/instances/web.1")).isEqualTo("web");
  }

  @Test
  void ordinalClaimsLiveOutsideTheInstancePrefix() {
    String claim = RegistryKeys.ordinal("prod", "web", 7);
    assertThat(claim).isEqualTo("/mdo/prod/ordinals/web/7").doesNotStartWith(RegistryKeys.services("prod"));
    assertThat(RegistryKeys.ordinalPath("prod", claim)).isEqualTo(new RegistryKeys.OrdinalPath("web", 7));
    for (String bad : new String[] {"/mdo/prod/ordinals/web/-1", "/mdo/prod/ordinals/web/07", "/mdo/prod/ordinals/web/x",
        "/mdo/prod/ordinals/web/100001", "/mdo/prod/ordinals/web/1/2", "/mdo/prod/ordinals/web"}) {
      assertThat(RegistryKeys.ordinalPath("prod", bad)).as(bad).isNull();
    }
    assertThatThrownBy(() -> RegistryKeys.ordinal("prod", "web", -1)).isInstanceOf(IllegalArgumentException.class);
  }
}
