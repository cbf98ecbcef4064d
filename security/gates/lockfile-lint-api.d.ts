// lockfile-lint-api ships no types. What the lockfile gate uses of it, as version 5.9.2 defines it
// (index.js, src/ParseLockfile.js, src/validators/*.js): every validator's `validate` returns this result.
declare module 'lockfile-lint-api' {
  namespace lockfileLint {
    interface ValidationResult {
      readonly type: 'success' | 'error';
      readonly errors: readonly { readonly message: string; readonly package: string }[];
    }
    type Packages = Record<string, unknown>;
    class ParseLockfile {
      constructor(options: { lockfileText: string; lockfileType: string });
      parseSync(): { type: string; object: Packages };
    }
    class ValidateHost {
      constructor(options: { packages: Packages });
      validate(hosts: readonly string[], options?: { emptyHostname?: boolean }): ValidationResult;
    }
    class ValidateHttps {
      constructor(options: { packages: Packages });
      validate(): ValidationResult;
    }
    class ValidatePackageNames {
      constructor(options: { packages: Packages });
      validate(packageNameAliases?: readonly string[]): ValidationResult;
    }
    class ValidateIntegrity {
      constructor(options: { packages: Packages });
      validate(options?: { integrityExclude?: readonly string[] }): ValidationResult;
    }
  }
  const lockfileLint: {
    ParseLockfile: typeof lockfileLint.ParseLockfile;
    ValidateHost: typeof lockfileLint.ValidateHost;
    ValidateHttps: typeof lockfileLint.ValidateHttps;
    ValidatePackageNames: typeof lockfileLint.ValidatePackageNames;
    ValidateIntegrity: typeof lockfileLint.ValidateIntegrity;
  };
  export default lockfileLint;
}
