package io.jwtsidecar.revocation;

/**
 * A topic record that could not be applied, kept with where it came from and why.
 *
 * @param partition topic partition
 * @param offset    record offset
 * @param key       raw record key, may be null
 * @param value     raw record value, may be null
 * @param reason    what was wrong with it
 */
public record DeadLetter(int partition, long offset, byte[] key, byte[] value, String reason) {
}
