package io.ferrymq.sim.fleet;

/** Expands topic patterns with {device} and {group} placeholders. */
final class Topics {
    private Topics() {
    }

    static String expand(String pattern, String deviceId, String group) {
        return pattern.replace("{device}", deviceId).replace("{group}", group);
    }

    /** Turns a pattern into the topic filter that matches it for every device: each placeholder level becomes +. */
    static String filter(String pattern) {
        String[] levels = pattern.split("/", -1);
        StringBuilder filter = new StringBuilder();
        for (int i = 0; i < levels.length; i++) {
            filter.append(i == 0 ? "" : "/").append(levels[i].contains("{") ? "+" : levels[i]);
        }
        return filter.toString();
    }
}
