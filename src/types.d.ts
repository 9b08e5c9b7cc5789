/** The language of every message: English or Chinese. */
export type Lang = 'en' | 'zh';

export type HttpMethod = 'GET' | 'POST';

/** Stable identifiers of validation rules; see the README for which are QingCloud's and which are ours. */
export type ValidationCode =
  | 'required' | 'cluster_format' | 'zone_format' | 'starts_with_digit' | 'invalid_characters'
  | 'too_short' | 'too_long' | 'invalid_network' | 'invalid_prefix' | 'too_many_networks' | 'mod_format'
  | 'short_password' | 'all_networks' | 'duplicate_network'
  /** Bulk only: a row that repeats an earlier row's cluster and user, or one of the wrong shape. */
  | 'duplicate_row' | 'invalid_row';

export type QingCloudErrorCode =
  | 'invalid_input' | 'invalid_options' | 'api_error' | 'http_error' | 'network_error'
  | 'timeout' | 'aborted' | 'bad_response' | 'job_failed' | 'job_timeout'
  /** A call on `qingcloud-useradd/web` before `init()`. */
  | 'not_initialized';

export type JobStatus = 'pending' | 'working' | 'successful' | 'failed';

export type RowStatus = 'created' | 'exists' | 'invalid' | 'failed' | 'not_sent';

export interface SendOptions extends RequestOptions, SendSettings {}

export interface BulkOptions extends SendOptions, BulkSettings {}

/** What an earlier run said of one row: one of its `results`, or a journal entry kept from a progress event. */
export interface PreviousRow {
  /** The row's position in the input. */
  index: number;
  status: RowStatus | 'queued' | 'sending' | 'sent';
  jobId?: string;
  /** The row's cluster (`cluster`, or EHPC's `clusterId`), checked when given. */
  cluster?: string;
  /** The row's user name, checked when given; `username` for EHPC rows. */
  userName?: string;
  username?: string;
}

export interface ClickHouseBulkOptions extends BulkOptions {
  cluster?: string;
}

export interface EhpcBulkOptions extends BulkOptions {
  clusterId?: string;
}

/** Every rejection of this library is an `Error` with these fields. */
export interface QingCloudError extends Error {
  name: 'QingCloudError';
  code: QingCloudErrorCode;
  /** The API's `ret_code`, when it sent one. */
  retCode?: number;
  /** The HTTP status, when an answer arrived. */
  status?: number;
  /** With `invalid_input`: every broken rule. */
  errors?: ValidationIssue[];
}
