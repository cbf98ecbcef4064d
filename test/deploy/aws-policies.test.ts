/**
 * Elastic Beanstalk has no admission controller, so the nearest equivalent of Binary Authorization is
 * who may create what it runs: deploy/aws/*.json, applied once (docs/deploy.md, "Only the pipeline
 * creates versions"). An application version is created only by the pipeline's OIDC role (a service
 * control policy: a Deny no identity policy in the account can outweigh), and the bundle bucket takes
 * writes only from that role (a bucket policy: it binds every principal, admins included, until changed).
 * These tests hold the statements that carry that, with the placeholders the setup fills in.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './support.ts';

interface Statement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}
interface Policy {
  Version: string;
  Statement: Statement[];
}

const AWS_DIR = path.join(REPO_ROOT, 'deploy', 'aws');
const read = (file: string): Policy => JSON.parse(readFileSync(path.join(AWS_DIR, file), 'utf8')) as Policy;
const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
const statement = (policy: Policy, sid: string) => {
  const found = policy.Statement.find((entry) => entry.Sid === sid);
  if (found === undefined) throw new Error(`no statement ${sid}`);
  return found;
};
const DOCS = readFileSync(path.join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');

describe('deploy/aws policies', () => {
  const files = readdirSync(AWS_DIR).filter((file) => file.endsWith('.json'));

  test.each(files)(
    '%s is an IAM policy document (2012-10-17, named statements), set up by docs/deploy.md',
    (file) => {
      const policy = read(file);
      expect(policy.Version).toBe('2012-10-17');
      expect(policy.Statement.length).toBeGreaterThan(0);
      for (const entry of policy.Statement) {
        expect(entry.Sid).toMatch(/^[A-Za-z0-9]+$/);
        expect(['Allow', 'Deny']).toContain(entry.Effect);
      }
      expect(DOCS).toContain(`deploy/aws/${file}`);
      // Each placeholder is one the setup commands export before envsubst.
      const assigned = new Set([...DOCS.matchAll(/^([A-Z_]+)=/gm)].map((match) => match[1]));
      for (const [, name] of readFileSync(path.join(AWS_DIR, file), 'utf8').matchAll(/\$\{([A-Z_]+)\}/g))
        expect(assigned).toContain(name);
    },
  );

  test('the bundle bucket refuses writes from any principal but the pipeline role', () => {
    const policy = read('bundle-bucket-policy.json');
    const deny = statement(policy, 'OnlyThePipelineRoleWritesBundles');
    expect(deny.Effect).toBe('Deny');
    expect(deny.Principal).toBe('*');
    expect(list(deny.Action)).toEqual(expect.arrayContaining(['s3:PutObject', 's3:DeleteObject']));
    expect(list(deny.Resource)).toEqual(['arn:aws:s3:::${BUCKET}/*']);
    expect(deny.Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': '${DEPLOY_ROLE_ARN}' } });
    // No Allow here: the role's own policy grants its writes; the bucket policy only takes away.
    expect(policy.Statement.filter((entry) => entry.Effect === 'Allow')).toEqual([]);
    const tls = statement(policy, 'TlsOnly');
    expect(tls.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  test('only the pipeline role creates application versions of this application', () => {
    const policy = read('only-pipeline-creates-versions.scp.json');
    const deny = statement(policy, 'OnlyThePipelineRoleCreatesApplicationVersions');
    expect(deny.Effect).toBe('Deny');
    expect(list(deny.Action)).toContain('elasticbeanstalk:CreateApplicationVersion');
    expect(list(deny.Resource)).toEqual(
      expect.arrayContaining([
        'arn:aws:elasticbeanstalk:${REGION}:${ACCOUNT_ID}:applicationversion/${APP}/*',
      ]),
    );
    expect(deny.Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': '${DEPLOY_ROLE_ARN}' } });
    // A service control policy names no principal: it applies to every one in the account.
    expect(deny.Principal).toBeUndefined();
  });

  test('the role the exceptions name is the one deploy-beanstalk.yml assumes', () => {
    expect(DOCS).toMatch(/^DEPLOY_ROLE_ARN="arn:aws:iam::\$\{ACCOUNT_ID\}:role\/github-deploy-beanstalk"$/m);
    expect(DOCS).toContain('gh variable set AWS_DEPLOY_ROLE_ARN --body "${DEPLOY_ROLE_ARN}"');
  });
});
