package io.jwtsidecar.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Reading a fleet report ({@code wait=all}, {@code GET /v1/revocations/{eventId}/status}). */
public final class FleetReports {
    private FleetReports() {
    }

    /** The state the report gives sidecar {@code id} ({@code applied}, {@code pending}, ...), or "absent". */
    public static String stateOf(JsonObject report, String id) {
        JsonArray sidecars = report.getJsonArray("sidecars");
        for (int i = 0; i < sidecars.size(); i++) {
            if (sidecars.getJsonObject(i).getString("id").equals(id)) {
                return sidecars.getJsonObject(i).getString("state");
            }
        }
        return "absent";
    }
}
