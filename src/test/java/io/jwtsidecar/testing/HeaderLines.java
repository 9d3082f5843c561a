package io.jwtsidecar.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Request headers from {@code Name: value} lines, looked up by case-insensitive name, as a server sees them. */
public final class HeaderLines {
    private HeaderLines() {
    }

    /** Every value of each header, in the order given; a header given twice has two values. */
    public static Function<String, List<String>> of(String... lines) {
        Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String line : lines) {
            int colon = line.indexOf(':');
            map.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>()).add(line.substring(colon + 1).strip());
        }
        return name -> map.getOrDefault(name, List.of());
    }
}
