// One sample per rule of gitleaks' default configuration at the version security/tools.json pins, made at
// run time from the rule's own pattern (randexp, as gitleaks' own rule tests draw theirs from the pattern
// with reggen: cmd/generate/secrets/regen.go@v8.30.1). The table holds each rule's shape, not a secret:
// `value` is the part the rule captures, `name` (where there is one) is the vendor's key name the rule
// requires before it, `entropy` the rule's own minimum. Shapes are the rules' regexes from
// config/gitleaks.toml@v8.30.1 (MIT, github.com/gitleaks/gitleaks), in JavaScript spelling: Go's inline
// (?i) flags are dropped (the samples are written as the pattern spells them, which matches either way),
// (?P<name> becomes (?:, \z becomes $. A few rules need a file around them (a manifest, a curl command, a
// path): those are written by hand in gitleaksSamples.
//
// When the pinned gitleaks gains a rule, test/hooks/gitleaks.test.ts fails until the rule has a shape here.
/* eslint-disable no-useless-escape, security/detect-unsafe-regex -- the table keeps gitleaks' patterns as gitleaks writes them, so that a rule's shape can be compared with its source; they only feed randexp and never run against input */
import { createHash, randomBytes } from 'node:crypto';
import RandExpModule from 'randexp';

// randexp's types declare an ES default export, but its CommonJS file replaces module.exports with the
// class, so an ES module's default import is the class itself.
const RandExp = RandExpModule as unknown as typeof RandExpModule.default;

export const GITLEAKS_VERSION = 'v8.30.1';

export interface RuleShape {
  readonly name?: RegExp;
  readonly value?: RegExp;
  readonly entropy?: number;
  /** The rule's keywords: gitleaks tries a rule only on text holding one of them. */
  readonly keywords?: readonly string[];
}

/** Rules whose sample is written by hand in gitleaksSamples (their shape is a whole file or a path). */
export const HAND_WRITTEN = new Set([
  'aws-amazon-bedrock-api-key-short-lived',
  'curl-auth-header',
  'curl-auth-user',
  'freemius-secret-key',
  'generic-api-key',
  'hashicorp-tf-password',
  'jwt',
  'jwt-base64',
  'kubernetes-secret-yaml',
  'nuget-config-password',
  'pkcs12-file',
  'private-key',
  'sentry-org-token',
]);

export const GITLEAKS_RULES: Record<string, RuleShape> = {
  '1password-secret-key': {
    value:
      /A3-[A-Z0-9]{6}-(?:(?:[A-Z0-9]{11})|(?:[A-Z0-9]{6}-[A-Z0-9]{5}))-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}/,
    entropy: 3.8,
    keywords: ['a3-'],
  },
  '1password-service-account-token': {
    value: /ops_eyJ[a-zA-Z0-9+\/]{250,}={0,3}/,
    entropy: 4,
    keywords: ['ops_'],
  },
  'adafruit-api-key': { name: /(?:adafruit)/, value: /([a-z0-9_-]{32})/, keywords: ['adafruit'] },
  'adobe-client-id': { name: /(?:adobe)/, value: /([a-f0-9]{32})/, entropy: 2, keywords: ['adobe'] },
  'adobe-client-secret': { value: /(p8e-[a-z0-9]{32})/, entropy: 2, keywords: ['p8e-'] },
  'age-secret-key': {
    value: /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}/,
    keywords: ['age-secret-key-1'],
  },
  'airtable-api-key': { name: /(?:airtable)/, value: /([a-z0-9]{17})/, keywords: ['airtable'] },
  'airtable-personnal-access-token': { value: /(pat[A-Za-z0-9]{14}\.[a-f0-9]{64})/, keywords: ['airtable'] },
  'algolia-api-key': { name: /(?:algolia)/, value: /([a-z0-9]{32})/, keywords: ['algolia'] },
  'alibaba-access-key-id': { value: /(LTAI[a-z0-9]{20})/, entropy: 2, keywords: ['ltai'] },
  'alibaba-secret-key': { name: /(?:alibaba)/, value: /([a-z0-9]{30})/, entropy: 2, keywords: ['alibaba'] },
  'anthropic-admin-api-key': {
    value: /(sk-ant-admin01-[a-zA-Z0-9_\-]{93}AA)/,
    keywords: ['sk-ant-admin01'],
  },
  'anthropic-api-key': { value: /(sk-ant-api03-[a-zA-Z0-9_\-]{93}AA)/, keywords: ['sk-ant-api03'] },
  'artifactory-api-key': { value: /AKCp[A-Za-z0-9]{69}/, entropy: 4.5, keywords: ['akcp'] },
  'artifactory-reference-token': { value: /cmVmd[A-Za-z0-9]{59}/, entropy: 4.5, keywords: ['cmvmd'] },
  'asana-client-id': { name: /(?:asana)/, value: /([0-9]{16})/, keywords: ['asana'] },
  'asana-client-secret': { name: /(?:asana)/, value: /([a-z0-9]{32})/, keywords: ['asana'] },
  'atlassian-api-token': {
    name: /(?:(?:ATLASSIAN|[Aa]tlassian)|(?:CONFLUENCE|[Cc]onfluence)|(?:JIRA|[Jj]ira))/,
    value: /([a-z0-9]{20}[a-f0-9]{4})/,
    entropy: 3.5,
    keywords: ['atlassian', 'confluence', 'jira', 'atatt3'],
  },
  'authress-service-client-access-key': {
    value:
      /((?:sc|ext|scauth|authress)_[a-z0-9]{5,30}\.[a-z0-9]{4,6}\.(?:acc)[_-][a-z0-9-]{10,32}\.[a-z0-9+\/_=-]{30,120})/,
    entropy: 2,
    keywords: ['sc_', 'ext_', 'scauth_', 'authress_'],
  },
  'aws-access-token': {
    value: /((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})/,
    entropy: 3,
    keywords: ['a3t', 'akia', 'asia', 'abia', 'acca'],
  },
  'aws-amazon-bedrock-api-key-long-lived': {
    value: /(ABSK[A-Za-z0-9+\/]{109,269}={0,2})/,
    entropy: 3,
    keywords: ['absk'],
  },
  'azure-ad-client-secret': {
    value: /(?:^|[\\'"\x60\s>=:(,)])([a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34})(?:$|[\\'"\x60\s<),])/,
    entropy: 3,
    keywords: ['q~'],
  },
  'beamer-api-token': { name: /(?:beamer)/, value: /(b_[a-z0-9=_\-]{44})/, keywords: ['beamer'] },
  'bitbucket-client-id': { name: /(?:bitbucket)/, value: /([a-z0-9]{32})/, keywords: ['bitbucket'] },
  'bitbucket-client-secret': { name: /(?:bitbucket)/, value: /([a-z0-9=_\-]{64})/, keywords: ['bitbucket'] },
  'bittrex-access-key': { name: /(?:bittrex)/, value: /([a-z0-9]{32})/, keywords: ['bittrex'] },
  'bittrex-secret-key': { name: /(?:bittrex)/, value: /([a-z0-9]{32})/, keywords: ['bittrex'] },
  'cisco-meraki-api-key': {
    name: /(?:(?:[Mm]eraki|MERAKI))/,
    value: /([0-9a-f]{40})/,
    entropy: 3,
    keywords: ['meraki'],
  },
  'clickhouse-cloud-api-secret-key': { value: /(4b1d[A-Za-z0-9]{38})/, entropy: 3, keywords: ['4b1d'] },
  'clojars-api-token': { value: /CLOJARS_[a-z0-9]{60}/, entropy: 2, keywords: ['clojars_'] },
  'cloudflare-api-key': {
    name: /(?:cloudflare)/,
    value: /([a-z0-9_-]{40})/,
    entropy: 2,
    keywords: ['cloudflare'],
  },
  'cloudflare-global-api-key': {
    name: /(?:cloudflare)/,
    value: /([a-f0-9]{37})/,
    entropy: 2,
    keywords: ['cloudflare'],
  },
  'cloudflare-origin-ca-key': {
    value: /(v1\.0-[a-f0-9]{24}-[a-f0-9]{146})/,
    entropy: 2,
    keywords: ['cloudflare', 'v1.0-'],
  },
  'codecov-access-token': { name: /(?:codecov)/, value: /([a-z0-9]{32})/, keywords: ['codecov'] },
  'cohere-api-token': {
    name: /(?:cohere|CO_API_KEY)/,
    value: /([a-zA-Z0-9]{40})/,
    entropy: 4,
    keywords: ['cohere', 'co_api_key'],
  },
  'coinbase-access-token': { name: /(?:coinbase)/, value: /([a-z0-9_-]{64})/, keywords: ['coinbase'] },
  'confluent-access-token': { name: /(?:confluent)/, value: /([a-z0-9]{16})/, keywords: ['confluent'] },
  'confluent-secret-key': { name: /(?:confluent)/, value: /([a-z0-9]{64})/, keywords: ['confluent'] },
  'contentful-delivery-api-token': {
    name: /(?:contentful)/,
    value: /([a-z0-9=_\-]{43})/,
    keywords: ['contentful'],
  },
  'databricks-api-token': { value: /(dapi[a-f0-9]{32}(?:-\d)?)/, entropy: 3, keywords: ['dapi'] },
  'datadog-access-token': { name: /(?:datadog)/, value: /([a-z0-9]{40})/, keywords: ['datadog'] },
  'defined-networking-api-token': {
    name: /(?:dnkey)/,
    value: /(dnkey-[a-z0-9=_\-]{26}-[a-z0-9=_\-]{52})/,
    keywords: ['dnkey'],
  },
  'digitalocean-access-token': { value: /(doo_v1_[a-f0-9]{64})/, entropy: 3, keywords: ['doo_v1_'] },
  'digitalocean-pat': { value: /(dop_v1_[a-f0-9]{64})/, entropy: 3, keywords: ['dop_v1_'] },
  'digitalocean-refresh-token': { value: /(dor_v1_[a-f0-9]{64})/, keywords: ['dor_v1_'] },
  'discord-api-token': { name: /(?:discord)/, value: /([a-f0-9]{64})/, keywords: ['discord'] },
  'discord-client-id': { name: /(?:discord)/, value: /([0-9]{18})/, entropy: 2, keywords: ['discord'] },
  'discord-client-secret': {
    name: /(?:discord)/,
    value: /([a-z0-9=_\-]{32})/,
    entropy: 2,
    keywords: ['discord'],
  },
  'doppler-api-token': { value: /dp\.pt\.[a-z0-9]{43}/, entropy: 2, keywords: ['dp.pt.'] },
  'droneci-access-token': { name: /(?:droneci)/, value: /([a-z0-9]{32})/, keywords: ['droneci'] },
  'dropbox-api-token': { name: /(?:dropbox)/, value: /([a-z0-9]{15})/, keywords: ['dropbox'] },
  'dropbox-long-lived-api-token': {
    name: /(?:dropbox)/,
    value: /([a-z0-9]{11}(AAAAAAAAAA)[a-z0-9\-_=]{43})/,
    keywords: ['dropbox'],
  },
  'dropbox-short-lived-api-token': {
    name: /(?:dropbox)/,
    value: /(sl\.[a-z0-9\-=_]{135})/,
    keywords: ['dropbox'],
  },
  'duffel-api-token': { value: /duffel_(?:test|live)_[a-z0-9_\-=]{43}/, entropy: 2, keywords: ['duffel_'] },
  'dynatrace-api-token': { value: /dt0c01\.[a-z0-9]{24}\.[a-z0-9]{64}/, entropy: 4, keywords: ['dt0c01.'] },
  'easypost-api-token': { value: /EZAK[a-z0-9]{54}/, entropy: 2, keywords: ['ezak'] },
  'easypost-test-api-token': { value: /EZTK[a-z0-9]{54}/, entropy: 2, keywords: ['eztk'] },
  'etsy-access-token': {
    name: /(?:(?:ETSY|[Ee]tsy))/,
    value: /([a-z0-9]{24})/,
    entropy: 3,
    keywords: ['etsy'],
  },
  'facebook-access-token': {
    value: /(\d{15,16}(\||%)[0-9a-z\-_]{27,40})/,
    entropy: 3,
    keywords: ['facebook'],
  },
  'facebook-page-access-token': { value: /(EAA[MC][a-z0-9]{100,})/, entropy: 4, keywords: ['eaam', 'eaac'] },
  'facebook-secret': { name: /(?:facebook)/, value: /([a-f0-9]{32})/, entropy: 3, keywords: ['facebook'] },
  'fastly-api-token': { name: /(?:fastly)/, value: /([a-z0-9=_\-]{32})/, keywords: ['fastly'] },
  'finicity-api-token': { name: /(?:finicity)/, value: /([a-f0-9]{32})/, keywords: ['finicity'] },
  'finicity-client-secret': { name: /(?:finicity)/, value: /([a-z0-9]{20})/, keywords: ['finicity'] },
  'finnhub-access-token': { name: /(?:finnhub)/, value: /([a-z0-9]{20})/, keywords: ['finnhub'] },
  'flickr-access-token': { name: /(?:flickr)/, value: /([a-z0-9]{32})/, keywords: ['flickr'] },
  'flutterwave-encryption-key': {
    value: /FLWSECK_TEST-[a-h0-9]{12}/,
    entropy: 2,
    keywords: ['flwseck_test'],
  },
  'flutterwave-public-key': { value: /FLWPUBK_TEST-[a-h0-9]{32}-X/, entropy: 2, keywords: ['flwpubk_test'] },
  'flutterwave-secret-key': { value: /FLWSECK_TEST-[a-h0-9]{32}-X/, entropy: 2, keywords: ['flwseck_test'] },
  'flyio-access-token': {
    value: /((?:fo1_[\w-]{43}|fm1[ar]_[a-zA-Z0-9+\/]{100,}={0,3}|fm2_[a-zA-Z0-9+\/]{100,}={0,3}))/,
    entropy: 4,
    keywords: ['fo1_', 'fm1', 'fm2_'],
  },
  'frameio-api-token': { value: /fio-u-[a-z0-9\-_=]{64}/, keywords: ['fio-u-'] },
  'freshbooks-access-token': { name: /(?:freshbooks)/, value: /([a-z0-9]{64})/, keywords: ['freshbooks'] },
  'gcp-api-key': { value: /(AIza[\w-]{35})/, entropy: 4, keywords: ['aiza'] },
  'github-app-token': { value: /(?:ghu|ghs)_[0-9a-zA-Z]{36}/, entropy: 3, keywords: ['ghu_', 'ghs_'] },
  'github-fine-grained-pat': { value: /github_pat_\w{82}/, entropy: 3, keywords: ['github_pat_'] },
  'github-oauth': { value: /gho_[0-9a-zA-Z]{36}/, entropy: 3, keywords: ['gho_'] },
  'github-pat': { value: /ghp_[0-9a-zA-Z]{36}/, entropy: 3, keywords: ['ghp_'] },
  'github-refresh-token': { value: /ghr_[0-9a-zA-Z]{36}/, entropy: 3, keywords: ['ghr_'] },
  'gitlab-cicd-job-token': {
    value: /glcbt-[0-9a-zA-Z]{1,5}_[0-9a-zA-Z_-]{20}/,
    entropy: 3,
    keywords: ['glcbt-'],
  },
  'gitlab-deploy-token': { value: /gldt-[0-9a-zA-Z_\-]{20}/, entropy: 3, keywords: ['gldt-'] },
  'gitlab-feature-flag-client-token': {
    value: /glffct-[0-9a-zA-Z_\-]{20}/,
    entropy: 3,
    keywords: ['glffct-'],
  },
  'gitlab-feed-token': { value: /glft-[0-9a-zA-Z_\-]{20}/, entropy: 3, keywords: ['glft-'] },
  'gitlab-incoming-mail-token': { value: /glimt-[0-9a-zA-Z_\-]{25}/, entropy: 3, keywords: ['glimt-'] },
  'gitlab-kubernetes-agent-token': {
    value: /glagent-[0-9a-zA-Z_\-]{50}/,
    entropy: 3,
    keywords: ['glagent-'],
  },
  'gitlab-oauth-app-secret': { value: /gloas-[0-9a-zA-Z_\-]{64}/, entropy: 3, keywords: ['gloas-'] },
  'gitlab-pat': { value: /glpat-[\w-]{20}/, entropy: 3, keywords: ['glpat-'] },
  'gitlab-pat-routable': {
    value: /glpat-[0-9a-zA-Z_-]{27,300}\.[0-9a-z]{2}[0-9a-z]{7}/,
    entropy: 4,
    keywords: ['glpat-'],
  },
  'gitlab-ptt': { value: /glptt-[0-9a-f]{40}/, entropy: 3, keywords: ['glptt-'] },
  'gitlab-rrt': { value: /GR1348941[\w-]{20}/, entropy: 3, keywords: ['gr1348941'] },
  'gitlab-runner-authentication-token': {
    value: /glrt-[0-9a-zA-Z_\-]{20}/,
    entropy: 3,
    keywords: ['glrt-'],
  },
  'gitlab-runner-authentication-token-routable': {
    value: /glrt-t\d_[0-9a-zA-Z_\-]{27,300}\.[0-9a-z]{2}[0-9a-z]{7}/,
    entropy: 4,
    keywords: ['glrt-'],
  },
  'gitlab-scim-token': { value: /glsoat-[0-9a-zA-Z_\-]{20}/, entropy: 3, keywords: ['glsoat-'] },
  'gitlab-session-cookie': {
    value: /_gitlab_session=[0-9a-z]{32}/,
    entropy: 3,
    keywords: ['_gitlab_session='],
  },
  'gitter-access-token': { name: /(?:gitter)/, value: /([a-z0-9_-]{40})/, keywords: ['gitter'] },
  'gocardless-api-token': {
    name: /(?:gocardless)/,
    value: /(live_[a-z0-9\-_=]{40})/,
    keywords: ['live_', 'gocardless'],
  },
  'grafana-api-key': { value: /(eyJrIjoi[A-Za-z0-9]{70,400}={0,3})/, entropy: 3, keywords: ['eyjrijoi'] },
  'grafana-cloud-api-token': { value: /(glc_[A-Za-z0-9+\/]{32,400}={0,3})/, entropy: 3, keywords: ['glc_'] },
  'grafana-service-account-token': {
    value: /(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})/,
    entropy: 3,
    keywords: ['glsa_'],
  },
  'harness-api-key': {
    value: /(?:pat|sat)\.[a-zA-Z0-9_-]{22}\.[a-zA-Z0-9]{24}\.[a-zA-Z0-9]{20}/,
    keywords: ['pat.', 'sat.'],
  },
  'hashicorp-tf-api-token': {
    value: /[a-z0-9]{14}\.(?:atlasv1)\.[a-z0-9\-_=]{60,70}/,
    entropy: 3.5,
    keywords: ['atlasv1'],
  },
  'heroku-api-key': {
    name: /(?:heroku)/,
    value: /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/,
    keywords: ['heroku'],
  },
  'heroku-api-key-v2': { value: /((HRKU-AA[0-9a-zA-Z_-]{58}))/, entropy: 4, keywords: ['hrku-aa'] },
  'hubspot-api-key': {
    name: /(?:hubspot)/,
    value: /([0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12})/,
    keywords: ['hubspot'],
  },
  'huggingface-access-token': { value: /(hf_(?:[a-z]{34}))/, entropy: 2, keywords: ['hf_'] },
  'huggingface-organization-api-token': {
    value: /(api_org_(?:[a-z]{34}))/,
    entropy: 2,
    keywords: ['api_org_'],
  },
  'infracost-api-token': { value: /(ico-[a-zA-Z0-9]{32})/, entropy: 3, keywords: ['ico-'] },
  'intercom-api-key': { name: /(?:intercom)/, value: /([a-z0-9=_\-]{60})/, keywords: ['intercom'] },
  'intra42-client-secret': {
    value: /(s-s4t2(?:ud|af)-[abcdef0123456789]{64})/,
    entropy: 3,
    keywords: ['intra', 's-s4t2ud-', 's-s4t2af-'],
  },
  'jfrog-api-key': {
    name: /(?:jfrog|artifactory|bintray|xray)/,
    value: /([a-z0-9]{73})/,
    keywords: ['jfrog', 'artifactory', 'bintray', 'xray'],
  },
  'jfrog-identity-token': {
    name: /(?:jfrog|artifactory|bintray|xray)/,
    value: /([a-z0-9]{64})/,
    keywords: ['jfrog', 'artifactory', 'bintray', 'xray'],
  },
  'kraken-access-token': { name: /(?:kraken)/, value: /([a-z0-9\/=_\+\-]{80,90})/, keywords: ['kraken'] },
  'kucoin-access-token': { name: /(?:kucoin)/, value: /([a-f0-9]{24})/, keywords: ['kucoin'] },
  'kucoin-secret-key': {
    name: /(?:kucoin)/,
    value: /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/,
    keywords: ['kucoin'],
  },
  'launchdarkly-access-token': {
    name: /(?:launchdarkly)/,
    value: /([a-z0-9=_\-]{40})/,
    keywords: ['launchdarkly'],
  },
  'linear-api-key': { value: /lin_api_[a-z0-9]{40}/, entropy: 2, keywords: ['lin_api_'] },
  'linear-client-secret': { name: /(?:linear)/, value: /([a-f0-9]{32})/, entropy: 2, keywords: ['linear'] },
  'linkedin-client-id': {
    name: /(?:linked[_-]?in)/,
    value: /([a-z0-9]{14})/,
    entropy: 2,
    keywords: ['linkedin', 'linked_in', 'linked-in'],
  },
  'linkedin-client-secret': {
    name: /(?:linked[_-]?in)/,
    value: /([a-z0-9]{16})/,
    entropy: 2,
    keywords: ['linkedin', 'linked_in', 'linked-in'],
  },
  'lob-api-key': { name: /(?:lob)/, value: /((live|test)_[a-f0-9]{35})/, keywords: ['test_', 'live_'] },
  'lob-pub-api-key': {
    name: /(?:lob)/,
    value: /((test|live)_pub_[a-f0-9]{31})/,
    keywords: ['test_pub', 'live_pub', '_pub'],
  },
  'looker-client-id': { name: /(?:looker)/, value: /([a-z0-9]{20})/, keywords: ['looker'] },
  'looker-client-secret': { name: /(?:looker)/, value: /([a-z0-9]{24})/, keywords: ['looker'] },
  'mailchimp-api-key': {
    name: /(?:MailchimpSDK.initialize|mailchimp)/,
    value: /([a-f0-9]{32}-us\d\d)/,
    keywords: ['mailchimp'],
  },
  'mailgun-private-api-token': { name: /(?:mailgun)/, value: /(key-[a-f0-9]{32})/, keywords: ['mailgun'] },
  'mailgun-pub-key': { name: /(?:mailgun)/, value: /(pubkey-[a-f0-9]{32})/, keywords: ['mailgun'] },
  'mailgun-signing-key': {
    name: /(?:mailgun)/,
    value: /([a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8})/,
    keywords: ['mailgun'],
  },
  'mapbox-api-token': {
    name: /(?:mapbox)/,
    value: /(pk\.[a-z0-9]{60}\.[a-z0-9]{22})/,
    keywords: ['mapbox'],
  },
  'mattermost-access-token': { name: /(?:mattermost)/, value: /([a-z0-9]{26})/, keywords: ['mattermost'] },
  'maxmind-license-key': { value: /([A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk)/, entropy: 4, keywords: ['_mmk'] },
  'messagebird-api-token': {
    name: /(?:message[_-]?bird)/,
    value: /([a-z0-9]{25})/,
    keywords: ['messagebird', 'message-bird', 'message_bird'],
  },
  'messagebird-client-id': {
    name: /(?:message[_-]?bird)/,
    value: /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/,
    keywords: ['messagebird', 'message-bird', 'message_bird'],
  },
  'microsoft-teams-webhook': {
    value:
      /https:\/\/[a-z0-9]+\.webhook\.office\.com\/webhookb2\/[a-z0-9]{8}-([a-z0-9]{4}-){3}[a-z0-9]{12}@[a-z0-9]{8}-([a-z0-9]{4}-){3}[a-z0-9]{12}\/IncomingWebhook\/[a-z0-9]{32}\/[a-z0-9]{8}-([a-z0-9]{4}-){3}[a-z0-9]{12}/,
    keywords: ['webhook.office.com', 'webhookb2', 'incomingwebhook'],
  },
  'netlify-access-token': { name: /(?:netlify)/, value: /([a-z0-9=_\-]{40,46})/, keywords: ['netlify'] },
  'new-relic-browser-api-token': {
    name: /(?:new-relic|newrelic|new_relic)/,
    value: /(NRJS-[a-f0-9]{19})/,
    keywords: ['nrjs-'],
  },
  'new-relic-insert-key': {
    name: /(?:new-relic|newrelic|new_relic)/,
    value: /(NRII-[a-z0-9-]{32})/,
    keywords: ['nrii-'],
  },
  'new-relic-user-api-id': {
    name: /(?:new-relic|newrelic|new_relic)/,
    value: /([a-z0-9]{64})/,
    keywords: ['new-relic', 'newrelic', 'new_relic'],
  },
  'new-relic-user-api-key': {
    name: /(?:new-relic|newrelic|new_relic)/,
    value: /(NRAK-[a-z0-9]{27})/,
    keywords: ['nrak'],
  },
  'notion-api-token': {
    value: /(ntn_[0-9]{11}[A-Za-z0-9]{32}[A-Za-z0-9]{3})/,
    entropy: 4,
    keywords: ['ntn_'],
  },
  'npm-access-token': { value: /(npm_[a-z0-9]{36})/, entropy: 2, keywords: ['npm_'] },
  'nytimes-access-token': {
    name: /(?:nytimes|new-york-times,|newyorktimes)/,
    value: /([a-z0-9=_\-]{32})/,
    keywords: ['nytimes', 'new-york-times', 'newyorktimes'],
  },
  'octopus-deploy-api-key': { value: /(API-[A-Z0-9]{26})/, entropy: 3, keywords: ['api-'] },
  'okta-access-token': {
    name: /(?:(?:[Oo]kta|OKTA))/,
    value: /(00[\w=\-]{40})/,
    entropy: 4,
    keywords: ['okta'],
  },
  'openai-api-key': {
    value:
      /(sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})\b|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})/,
    entropy: 3,
    keywords: ['t3blbkfj'],
  },
  'openshift-user-token': { value: /(sha256~[\w-]{43})(?:[^\w-]|$)/, entropy: 3.5, keywords: ['sha256~'] },
  'perplexity-api-key': {
    value: /(pplx-[a-zA-Z0-9]{48})(?:[\x60'"\s;]|\\[nr]|$|\b)/,
    entropy: 4,
    keywords: ['pplx-'],
  },
  'plaid-api-token': {
    name: /(?:plaid)/,
    value:
      /(access-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/,
    keywords: ['plaid'],
  },
  'plaid-client-id': { name: /(?:plaid)/, value: /([a-z0-9]{24})/, entropy: 3.5, keywords: ['plaid'] },
  'plaid-secret-key': { name: /(?:plaid)/, value: /([a-z0-9]{30})/, entropy: 3.5, keywords: ['plaid'] },
  'planetscale-api-token': { value: /(pscale_tkn_[\w=\.-]{32,64})/, entropy: 3, keywords: ['pscale_tkn_'] },
  'planetscale-oauth-token': {
    value: /(pscale_oauth_[\w=\.-]{32,64})/,
    entropy: 3,
    keywords: ['pscale_oauth_'],
  },
  'planetscale-password': { value: /(pscale_pw_[\w=\.-]{32,64})/, entropy: 3, keywords: ['pscale_pw_'] },
  'postman-api-token': { value: /(PMAK-[a-f0-9]{24}\-[a-f0-9]{34})/, entropy: 3, keywords: ['pmak-'] },
  'prefect-api-token': { value: /(pnu_[a-zA-Z0-9]{36})/, entropy: 2, keywords: ['pnu_'] },
  'privateai-api-token': {
    name: /(?:private[_-]?ai)/,
    value: /([a-z0-9]{32})/,
    entropy: 3,
    keywords: ['privateai', 'private_ai', 'private-ai'],
  },
  'pulumi-api-token': { value: /(pul-[a-f0-9]{40})/, entropy: 2, keywords: ['pul-'] },
  'pypi-upload-token': {
    value: /pypi-AgEIcHlwaS5vcmc[\w-]{50,1000}/,
    entropy: 3,
    keywords: ['pypi-ageichlwas5vcmc'],
  },
  'rapidapi-access-token': { name: /(?:rapidapi)/, value: /([a-z0-9_-]{50})/, keywords: ['rapidapi'] },
  'readme-api-token': { value: /(rdme_[a-z0-9]{70})/, entropy: 2, keywords: ['rdme_'] },
  'rubygems-api-token': { value: /(rubygems_[a-f0-9]{48})/, entropy: 2, keywords: ['rubygems_'] },
  'scalingo-api-token': { value: /(tk-us-[\w-]{48})/, entropy: 2, keywords: ['tk-us-'] },
  'sendbird-access-id': {
    name: /(?:sendbird)/,
    value: /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/,
    keywords: ['sendbird'],
  },
  'sendbird-access-token': { name: /(?:sendbird)/, value: /([a-f0-9]{40})/, keywords: ['sendbird'] },
  'sendgrid-api-token': { value: /(SG\.[a-z0-9=_\-\.]{66})/, entropy: 2, keywords: ['sg.'] },
  'sendinblue-api-token': {
    value: /(xkeysib-[a-f0-9]{64}\-[a-z0-9]{16})/,
    entropy: 2,
    keywords: ['xkeysib-'],
  },
  'sentry-access-token': { name: /(?:sentry)/, value: /([a-f0-9]{64})/, entropy: 3, keywords: ['sentry'] },
  'sentry-user-token': { value: /(sntryu_[a-f0-9]{64})/, entropy: 3.5, keywords: ['sntryu_'] },
  'settlemint-application-access-token': {
    value: /(sm_aat_[a-zA-Z0-9]{16})/,
    entropy: 3,
    keywords: ['sm_aat'],
  },
  'settlemint-personal-access-token': {
    value: /(sm_pat_[a-zA-Z0-9]{16})/,
    entropy: 3,
    keywords: ['sm_pat'],
  },
  'settlemint-service-access-token': { value: /(sm_sat_[a-zA-Z0-9]{16})/, entropy: 3, keywords: ['sm_sat'] },
  'shippo-api-token': { value: /(shippo_(?:live|test)_[a-fA-F0-9]{40})/, entropy: 2, keywords: ['shippo_'] },
  'shopify-access-token': { value: /shpat_[a-fA-F0-9]{32}/, entropy: 2, keywords: ['shpat_'] },
  'shopify-custom-access-token': { value: /shpca_[a-fA-F0-9]{32}/, entropy: 2, keywords: ['shpca_'] },
  'shopify-private-app-access-token': { value: /shppa_[a-fA-F0-9]{32}/, entropy: 2, keywords: ['shppa_'] },
  'shopify-shared-secret': { value: /shpss_[a-fA-F0-9]{32}/, entropy: 2, keywords: ['shpss_'] },
  'sidekiq-secret': {
    name: /(?:BUNDLE_ENTERPRISE__CONTRIBSYS__COM|BUNDLE_GEMS__CONTRIBSYS__COM)/,
    value: /([a-f0-9]{8}:[a-f0-9]{8})/,
    keywords: ['bundle_enterprise__contribsys__com', 'bundle_gems__contribsys__com'],
  },
  'sidekiq-sensitive-url': {
    value:
      /https?:\/\/([a-f0-9]{8}:[a-f0-9]{8})@(?:gems.contribsys.com|enterprise.contribsys.com)(?:[\/|\#|\?|:]|$)/,
    keywords: ['gems.contribsys.com', 'enterprise.contribsys.com'],
  },
  'slack-app-token': { value: /xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+/, entropy: 2, keywords: ['xapp'] },
  'slack-bot-token': {
    value: /xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*/,
    entropy: 3,
    keywords: ['xoxb'],
  },
  'slack-config-access-token': {
    value: /xoxe.xox[bp]-\d-[A-Z0-9]{163,166}/,
    entropy: 2,
    keywords: ['xoxe.xoxb-', 'xoxe.xoxp-'],
  },
  'slack-config-refresh-token': { value: /xoxe-\d-[A-Z0-9]{146}/, entropy: 2, keywords: ['xoxe-'] },
  'slack-legacy-bot-token': { value: /xoxb-[0-9]{8,14}-[a-zA-Z0-9]{18,26}/, entropy: 2, keywords: ['xoxb'] },
  'slack-legacy-token': { value: /xox[os]-\d+-\d+-\d+-[a-fA-F\d]+/, entropy: 2, keywords: ['xoxo', 'xoxs'] },
  'slack-legacy-workspace-token': {
    value: /xox[ar]-(?:\d-)?[0-9a-zA-Z]{8,48}/,
    entropy: 2,
    keywords: ['xoxa', 'xoxr'],
  },
  'slack-user-token': {
    value: /xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}/,
    entropy: 2,
    keywords: ['xoxp-', 'xoxe-'],
  },
  'slack-webhook-url': {
    value: /(?:https?:\/\/)?hooks.slack.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+\/]{43,56}/,
    keywords: ['hooks.slack.com'],
  },
  'snyk-api-token': {
    name: /(?:snyk[_.-]?(?:(?:api|oauth)[_.-]?)?(?:key|token))/,
    value: /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/,
    keywords: ['snyk'],
  },
  'sonar-api-token': {
    name: /(?:sonar[_.-]?(login|token))/,
    value: /((?:squ_|sqp_|sqa_)?[a-z0-9=_\-]{40})/,
    keywords: ['sonar'],
  },
  'sourcegraph-access-token': {
    value: /(\b(sgp_(?:[a-fA-F0-9]{16}|local)_[a-fA-F0-9]{40}|sgp_[a-fA-F0-9]{40}|[a-fA-F0-9]{40})\b)/,
    entropy: 3,
    keywords: ['sgp_', 'sourcegraph'],
  },
  'square-access-token': {
    value: /((?:EAAA|sq0atp-)[\w-]{22,60})/,
    entropy: 2,
    keywords: ['sq0atp-', 'eaaa'],
  },
  'squarespace-access-token': {
    name: /(?:squarespace)/,
    value: /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/,
    keywords: ['squarespace'],
  },
  'stripe-access-token': {
    value: /((?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99})/,
    entropy: 2,
    keywords: ['sk_test', 'sk_live', 'sk_prod', 'rk_test', 'rk_live', 'rk_prod'],
  },
  'sumologic-access-id': {
    name: /(?:(?:[Ss]umo|SUMO))/,
    value: /(su[a-zA-Z0-9]{12})/,
    entropy: 3,
    keywords: ['sumo'],
  },
  'sumologic-access-token': {
    name: /(?:(?:[Ss]umo|SUMO))/,
    value: /([a-z0-9]{64})/,
    entropy: 3,
    keywords: ['sumo'],
  },
  'telegram-bot-api-token': {
    name: /(?:telegr)/,
    value: /([0-9]{5,16}:(?:A)[a-z0-9_\-]{34})/,
    keywords: ['telegr'],
  },
  'travisci-access-token': { name: /(?:travis)/, value: /([a-z0-9]{22})/, keywords: ['travis'] },
  'twilio-api-key': { value: /SK[0-9a-fA-F]{32}/, entropy: 3, keywords: ['sk'] },
  'twitch-api-token': { name: /(?:twitch)/, value: /([a-z0-9]{30})/, keywords: ['twitch'] },
  'twitter-access-secret': { name: /(?:twitter)/, value: /([a-z0-9]{45})/, keywords: ['twitter'] },
  'twitter-access-token': {
    name: /(?:twitter)/,
    value: /([0-9]{15,25}-[a-zA-Z0-9]{20,40})/,
    keywords: ['twitter'],
  },
  'twitter-api-key': { name: /(?:twitter)/, value: /([a-z0-9]{25})/, keywords: ['twitter'] },
  'twitter-api-secret': { name: /(?:twitter)/, value: /([a-z0-9]{50})/, keywords: ['twitter'] },
  'twitter-bearer-token': {
    name: /(?:twitter)/,
    value: /(A{22}[a-zA-Z0-9%]{80,100})/,
    keywords: ['twitter'],
  },
  'typeform-api-token': { name: /(?:typeform)/, value: /(tfp_[a-z0-9\-_\.=]{59})/, keywords: ['tfp_'] },
  'vault-batch-token': { value: /(hvb\.[\w-]{138,300})/, entropy: 4, keywords: ['hvb.'] },
  'vault-service-token': {
    value: /((?:hvs\.[\w-]{90,120}|s\.(?:[a-z0-9]{24})))/,
    entropy: 3.5,
    keywords: ['hvs.', 's.'],
  },
  'yandex-access-token': {
    name: /(?:yandex)/,
    value: /(t1\.[A-Z0-9a-z_-]+[=]{0,2}\.[A-Z0-9a-z_-]{86}[=]{0,2})/,
    keywords: ['yandex'],
  },
  'yandex-api-key': { name: /(?:yandex)/, value: /(AQVN[A-Za-z0-9_\-]{35,38})/, keywords: ['yandex'] },
  'yandex-aws-access-token': { name: /(?:yandex)/, value: /(YC[a-zA-Z0-9_\-]{38})/, keywords: ['yandex'] },
  'zendesk-secret-key': { name: /(?:zendesk)/, value: /([a-z0-9]{40})/, keywords: ['zendesk'] },
  'aws-amazon-bedrock-api-key-short-lived': {},
  'curl-auth-header': {},
  'curl-auth-user': {},
  'freemius-secret-key': {},
  'generic-api-key': {},
  'hashicorp-tf-password': {},
  jwt: {},
  'jwt-base64': {},
  'kubernetes-secret-yaml': {},
  'nuget-config-password': {},
  'pkcs12-file': {},
  'private-key': {},
  'sentry-org-token': {},
};

/** Shannon entropy in bits per character, as gitleaks computes it (detect/utils.go shannonEntropy). */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const share = count / text.length;
    entropy -= share * Math.log2(share);
  }
  return entropy;
}

/** A random string the pattern matches, in plain ASCII (Go's \s and \S are ASCII; randexp's are not). */
export function fromPattern(pattern: RegExp): string {
  const source = pattern.source
    .replace(/\[\\S\]/g, '[!-~]')
    .replace(/\\S/g, '[!-~]')
    .replace(/\\s/g, ' ')
    // An unescaped `.` stands for the dot the format has (hooks.slack.com), not for any character.
    .replace(/(?<!\\)\.(?![*+?{])/g, '\\.')
    // "or the end of the text" would leave a sample that only matches at the end of a file: take the other way.
    .replace(/\|\$\)/g, ')')
    .replace(/\(\?:\$\|/g, '(?:');
  const generator = new RandExp(source);
  generator.max = 24;
  return generator.gen();
}

/**
 * A value of the rule's shape with at least the rule's entropy (a random draw can fall short), holding a
 * letter and a digit where the shape allows both. A random 16-character [a-z0-9] key is all letters about
 * once in 180 draws; the secretlint fallback's generic rule asks for a letter and a digit (or mixed case
 * and a symbol), so such a rare key is one it misses (docs/secrets.md), and a corpus drawing it made the
 * fallback's test fail now and then instead of measuring the set it holds.
 */
export function sampleSecret(shape: RuleShape): string {
  const pattern = shape.value ?? /[A-Za-z0-9]{32}/;
  let value = '';
  for (let attempt = 0; attempt <= 50; attempt += 1) {
    value = fromPattern(pattern);
    if (shannonEntropy(value) < (shape.entropy ?? 0) + 0.2) continue;
    if (/[A-Za-z]/.test(value) && /[0-9]/.test(value)) return value;
  }
  return value;
}

export const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
export const randomBase64 = (bytes: number) => randomBytes(bytes).toString('base64');
