package io.ferrymq.bench.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A fleet-shaped topic space, {@code fleet/{region}/{site}/{device}/{metric}}, and a seeded mix of
 * topic filters over it, so every benchmark run builds the same tree.
 *
 * <p>The default shape has 8 regions, 25 sites per region, 50 devices per site and 10 metrics: 10,000
 * devices and 100,000 topic names. The filter mix models devices and applications on one broker:
 * <ul>
 *   <li>70% exact filters, one metric of one device ({@code fleet/region-1/site-3/dev-17/temp});</li>
 *   <li>18% every metric of one device ({@code fleet/region-1/site-3/dev-17/+});</li>
 *   <li>8% one metric across a site ({@code fleet/region-1/site-3/+/temp});</li>
 *   <li>3.5% a whole site ({@code fleet/region-1/site-3/#});</li>
 *   <li>0.4% a whole region ({@code fleet/region-1/#});</li>
 *   <li>0.1% one metric fleet-wide ({@code fleet/+/+/+/temp}), the dashboards.</li>
 * </ul>
 */
public final class FleetTopics {

  static final String[] METRICS = {
      "temp", "humidity", "battery", "rssi", "pressure", "voltage", "current", "door", "motion", "status"};

  private final int regions;
  private final int sitesPerRegion;
  private final int devicesPerSite;

  public FleetTopics(int regions, int sitesPerRegion, int devicesPerSite) {
    if (regions < 1 || sitesPerRegion < 1 || devicesPerSite < 1) {
      throw new IllegalArgumentException("regions, sites and devices must each be at least 1, got "
          + regions + ", " + sitesPerRegion + ", " + devicesPerSite);
    }
    this.regions = regions;
    this.sitesPerRegion = sitesPerRegion;
    this.devicesPerSite = devicesPerSite;
  }

  /** Returns the default shape, with 100,000 topic names. */
  public static FleetTopics standard() {
    return new FleetTopics(8, 25, 50);
  }

  public int topicCount() {
    return regions * sitesPerRegion * devicesPerSite * METRICS.length;
  }

  /** Draws {@code count} topic names that devices of this fleet publish to. */
  public String[] randomTopics(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    String[] topics = new String[count];
    for (int i = 0; i < count; i++) {
      topics[i] = topic(random, metric(random));
    }
    return topics;
  }

  /** Draws {@code count} topic filters in the mix that the class comment describes. */
  public List<String> randomFilters(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> filters = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      filters.add(filter(random, random.nextInt(1000)));
    }
    return filters;
  }

  private String filter(SplittableRandom random, int permille) {
    if (permille < 700) {
      return topic(random, metric(random));
    }
    if (permille < 880) {
      return topic(random, "+");
    }
    if (permille < 960) {
      return "fleet/" + region(random) + "/" + site(random) + "/+/" + metric(random);
    }
    if (permille < 995) {
      return "fleet/" + region(random) + "/" + site(random) + "/#";
    }
    if (permille < 999) {
      return "fleet/" + region(random) + "/#";
    }
    return "fleet/+/+/+/" + metric(random);
  }

  private String topic(SplittableRandom random, String lastLevel) {
    return "fleet/" + region(random) + "/" + site(random) + "/" + device(random) + "/" + lastLevel;
  }

  private String region(SplittableRandom random) {
    return "region-" + random.nextInt(regions);
  }

  private String site(SplittableRandom random) {
    return "site-" + random.nextInt(sitesPerRegion);
  }

  private String device(SplittableRandom random) {
    return "dev-" + random.nextInt(devicesPerSite);
  }

  private static String metric(SplittableRandom random) {
    return METRICS[random.nextInt(METRICS.length)];
  }
}
