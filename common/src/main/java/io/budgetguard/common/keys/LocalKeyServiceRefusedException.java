package io.budgetguard.common.keys;

/** The local (file-based, dev-only) key service was asked for where it must not run: {@code BUDGETGUARD_ENV=production}. */
public final class LocalKeyServiceRefusedException extends KeyServiceException {

    public LocalKeyServiceRefusedException(String message) {
        super(message);
    }
}
