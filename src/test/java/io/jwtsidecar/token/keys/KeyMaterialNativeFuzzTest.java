package io.jwtsidecar.token.keys;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jwtsidecar.app.NativeCrypto;

/**
 * {@link KeyMaterialFuzzTest}'s target with the native provider (AWS-LC) first, as the sidecar
 * runs wherever it loads: its key factories take and refuse other encodings than the JDK's (longer
 * RSA moduli, compressed EC points) and fail with exceptions of their own. A class of its own
 * because Jazzer fuzzes one test per JVM, and the provider list is the JVM's.
 */
class KeyMaterialNativeFuzzTest {
    static {
        String active = NativeCrypto.forJvm().install();
        // The jar carries the native library for Linux on x86-64 (the build platform); there it must load,
        // or this target would quietly fuzz the JDK's providers a second time.
        if (System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64")
                && !active.startsWith("AmazonCorrettoCryptoProvider")) {
            throw new IllegalStateException("the native provider did not load; active: " + active);
        }
    }

    @FuzzTest(maxDuration = "2s")
    void keysOrIllegalArgument(FuzzedDataProvider data) {
        KeyMaterialFuzzTest.check(data);
    }
}
