/**
 * Table types for Kysely. Portable across SQLite and PostgreSQL: instants are ISO-8601 UTC
 * text, dates `YYYY-MM-DD` text, booleans 0/1 integers, ids text (UUIDv7), JSON as text.
 */
export interface ForceTable {
  id: string;
  name: string;
  home_office_region: string;
  home_office_name: string | null;
  created_at: string;
}

export interface BoroughTable {
  id: string;
  force_id: string;
  name: string;
  code: string;
  created_at: string;
}

export interface TeamTable {
  id: string;
  force_id: string;
  borough_id: string | null;
  name: string;
  team_type: string;
  created_at: string;
  updated_at: string;
}

export interface OfficerTable {
  id: string;
  force_id: string;
  collar_number: string;
  first_name: string;
  last_name: string;
  /** Lower-cased "first last collar" for search. */
  search_text: string;
  rank: string;
  borough_id: string | null;
  team_id: string | null;
  status: string;
  joined_on: string;
  left_on: string | null;
  created_at: string;
  updated_at: string;
}

export interface UserTable {
  id: string;
  email: string;
  display_name: string;
  password_hash: string;
  must_change_password: number;
  disabled: number;
  officer_id: string | null;
  failed_sign_ins: number;
  locked_until: string | null;
  last_sign_in_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface UserRoleTable {
  id: string;
  user_id: string;
  role: string;
  borough_id: string | null;
}

export interface SessionTable {
  /** SHA-256 of the cookie token: a stolen database does not yield live sessions. */
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  token_prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** JSON array of scopes, `<resource>:read` or `<resource>:write` (migration 0015). */
  scopes: string;
  /** Null only for tokens from before 0015 that the migration did not reach (none). */
  expires_at: string | null;
}

/** A form sent after its session ended, kept for the same account to send again (migration 0015). */
export interface KeptFormTable {
  id: string;
  user_id: string;
  action: string;
  return_to: string;
  fields: string;
  created_at: string;
  expires_at: string;
}

export interface AuditLogTable {
  seq: number;
  id: string;
  occurred_at: string;
  actor_user_id: string | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  summary: string;
  prev_hash: string;
  hash: string;
  /** 1: `hash` is an HMAC with CEDAR_AUDIT_KEY; 0: plain SHA-256 (written before Cedar had a key). */
  keyed: number;
}

export interface IncidentTable {
  id: string;
  force_id: string;
  reference: string;
  borough_id: string | null;
  occurred_at: string | null;
  created_at: string;
}

export interface ReportTable extends FactColumns {
  id: string;
  force_id: string;
  incident_id: string | null;
  officer_id: string;
  author_user_id: string;
  borough_id: string | null;
  status: string;
  /** JSON: the sections saved so far (draft) or the current version's content. */
  content: string;
  version: number;
  /** JSON: sections changed in an amendment not yet submitted, or null. */
  amendment: string | null;
  /** Bumped by every write to the row: writes compare and set it (migration 0016). */
  revision: number;
  highest_level: string | null;
  discharge: number;
  ced_used: number;
  serious: number;
  occurred_at: string | null;
  due_at: string | null;
  submitted_at: string | null;
  reviewed_at: string | null;
  signed_off_at: string | null;
  created_at: string;
  updated_at: string;
}

/** The answers statistics count, kept beside a report (and an imported row) as plain columns. */
export interface FactColumns {
  /** London date of the incident, `YYYY-MM-DD`. */
  occurred_on: string | null;
  age_band: string | null;
  gender: string | null;
  ethnicity: string | null;
  main_duty: string | null;
  single_crewed: number | null;
  /** `,code,code,` */
  reasons: string | null;
  impact_factors: string | null;
  locations: string | null;
  outcomes: string | null;
}

export interface ImportedReportTable extends FactColumns {
  id: string;
  force_id: string;
  source_key: string;
  source_file: string;
  source_line: number;
  occurred_at: string;
  borough_id: string | null;
  borough_name: string | null;
  highest_level: string | null;
  discharge: number;
  ced_used: number;
  imported_at: string;
}

/** The published row of an imported report (JSON of the content as read), kept apart from the narrow columns. */
export interface ImportedReportRowTable {
  id: string;
  row: string;
}

export interface ReportVersionTable {
  id: string;
  report_id: string;
  version: number;
  content: string;
  reason: string | null;
  created_by_user_id: string | null;
  created_by_label: string;
  created_at: string;
}

export interface ReportEventTable {
  id: string;
  report_id: string;
  kind: string;
  actor_user_id: string | null;
  actor_label: string;
  at: string;
  comment: string | null;
  version: number | null;
  /** JSON: field-level before/after, for amendments. */
  changes: string | null;
}

/** What professional standards concluded about a referred report (migration 0017). */
export interface ReportReferralOutcomeTable {
  id: string;
  report_id: string;
  outcome: string;
  iopc_reference: string | null;
  reason: string;
  /** The report's version the outcome was recorded on. */
  report_version: number;
  recorded_by_user_id: string | null;
  recorded_by_label: string;
  recorded_at: string;
}

/** A monthly release of the public figures: a draft until published, then numbered and never changed. */
export interface ReleaseTable {
  id: string;
  force_id: string;
  /** null while a draft; 1, 2, 3… in order of publication. */
  number: number | null;
  status: 'draft' | 'published';
  /** The month the figures run to, `YYYY-MM`. */
  month: string;
  financial_year: string;
  /** JSON: the release's figures (domain/stats/release.ts ReleaseSnapshot). */
  snapshot: string;
  /** JSON: revisions against the previous published release (set when published). */
  revisions: string | null;
  /** Rows in the release's Met-layout download. */
  rows_count: number;
  prepared_by_user_id: string | null;
  prepared_by_label: string;
  prepared_at: string;
  published_by_user_id: string | null;
  published_by_label: string | null;
  published_at: string | null;
  /** The number of the published release this one corrects, and why (public). */
  supersedes: number | null;
  supersede_reason: string | null;
  /** The audit chain's newest entry when the release was published. */
  audit_head_seq: number | null;
  audit_head_hash: string | null;
}

/** A release's download, fixed when the release is prepared: gzip, base64. */
export interface ReleaseFileTable {
  release_id: string;
  name: string;
  content_type: string;
  /** Uncompressed size. */
  bytes: number;
  /** SHA-256 (hex) of the uncompressed content, published beside it. */
  sha256: string;
  gzip_base64: string;
}

/** A published Home Office table of Taser use by force, loaded for one period (`cedar import home-office-ced`). */
export interface HomeOfficeTableTable {
  id: string;
  /** `2018-19` (financial year) or `2016` (calendar year); unique: loading a period again replaces it. */
  period_key: string;
  period_kind: string;
  period_label: string;
  /** First day, `YYYY-MM-DD`. */
  period_from: string;
  /** The day after the last, `YYYY-MM-DD`. */
  period_to_exclusive: string;
  source_file: string;
  /** SHA-256 (hex) of the file's bytes: loading the same file again changes nothing. */
  source_sha256: string;
  loaded_at: string;
  /** Who loaded it (the actor's label). */
  loaded_by: string;
}

/** One row of a loaded table: a force, a region's total or the England and Wales total, with its 11 figures. */
export interface HomeOfficeTableRowTable {
  id: string;
  table_id: string;
  /** Order in the file, from 0. */
  position: number;
  line: number;
  /** `force`, `region_total` or `england_and_wales`. */
  row_kind: string;
  region: string;
  /** As published: `Metropolitan`, `*Total London`. */
  police_force: string;
  total: number;
  total_non_discharge: number;
  drawn: number;
  aimed: number;
  red_dot: number;
  arced: number;
  total_discharge: number;
  drive_stun: number;
  fired: number;
  angled_drive_stun: number;
  not_stated: number;
}

/** A kind of course the force runs (initial, refresher, conversion), and the models a pass qualifies for. */
export interface CourseTypeTable {
  id: string;
  force_id: string;
  code: string;
  name: string;
  kind: string;
  /** JSON array of device models. */
  qualifies_for: string;
  min_hours: number;
  days: number;
  active: number;
  created_at: string;
  updated_at: string;
}

export interface TrainingSessionTable {
  id: string;
  force_id: string;
  course_type_id: string;
  starts_on: string;
  ends_on: string;
  location: string;
  borough_id: string | null;
  capacity: number;
  /** `scheduled`, `completed` or `cancelled`. */
  status: string;
  created_at: string;
  updated_at: string;
}

export interface SessionTrainerTable {
  session_id: string;
  officer_id: string;
}

export interface EnrolmentTable {
  id: string;
  session_id: string;
  officer_id: string;
  /** `enrolled`, `waiting` or `cancelled`. */
  status: string;
  requested_at: string;
  attended: number | null;
  result: string | null;
  result_reason: string | null;
  recorded_at: string | null;
  updated_at: string;
}

/** One course an officer finished (from a session's results or imported): what authority is derived from. */
/** Counters that triggers add one to on any change of the tables they watch (migration 0022): `authority` (training records, restrictions, officers, teams, boroughs) and `devices` (devices, models, device events). */
export interface ChangeCounterTable {
  name: string;
  n: number | string;
}

export interface TrainingRecordTable {
  id: string;
  force_id: string;
  officer_id: string;
  course_type_id: string;
  completed_on: string;
  result: string;
  reason: string | null;
  session_id: string | null;
  source: string;
  source_key: string | null;
  created_by_label: string;
  created_at: string;
  /** Set when a session's result was corrected: the result before, why, by whom, when. */
  previous_result: string | null;
  correction_reason: string | null;
  corrected_by_label: string | null;
  corrected_at: string | null;
}

/** A suspension (by a supervisor or professional standards) or a withdrawal (the officer's choice). */
export interface AuthorityRestrictionTable {
  id: string;
  force_id: string;
  officer_id: string;
  kind: string;
  from_on: string;
  to_on: string | null;
  reason: string;
  created_by_label: string;
  created_at: string;
  ended_by_label: string | null;
  ended_at: string | null;
  end_reason: string | null;
}

/** The force's uplift targets and the planner's assumptions: configuration, one row per force. */
export interface UpliftPlanTable {
  force_id: string;
  starts_on: string;
  deadline: string;
  baseline_authorised: number;
  target_authorised: number;
  target_devices: number;
  borough_minimum: number;
  emergency_response_percent: number;
  /** JSON. */
  assumptions: string;
  updated_by_label: string;
  updated_at: string;
}

/** Device models: configuration per force (issue 12). */
export interface DeviceModelTable {
  id: string;
  force_id: string;
  name: string;
  bays: number;
  /** JSON array of cartridge type names. */
  cartridge_types: string;
  authorised_by: string;
  stops_issuing_on: string | null;
  created_at: string;
  updated_at: string;
}

/** The fleet register. */
export interface DeviceTable {
  id: string;
  force_id: string;
  serial: string;
  model_id: string;
  firmware: string | null;
  armoury_borough_id: string | null;
  armoury_team_id: string | null;
  state: string;
  state_note: string | null;
  withdrawal_reason: string | null;
  in_service_on: string | null;
  revision: number;
  created_at: string;
  updated_at: string;
}

export interface DeviceEventTable {
  id: string;
  device_id: string;
  at: string;
  move: string;
  from_state: string | null;
  to_state: string;
  note: string | null;
  actor_id: string | null;
}

export interface CartridgeTable {
  id: string;
  force_id: string;
  serial: string;
  type: string;
  lot: string;
  expires_on: string;
  armoury_borough_id: string | null;
  armoury_team_id: string | null;
  state: string;
  report_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface DeviceIssueTable {
  id: string;
  force_id: string;
  device_id: string;
  officer_id: string;
  issued_at: string;
  shift_ends_at: string | null;
  returned_at: string | null;
  issued_by: string | null;
  returned_by: string | null;
  /** JSON array of overridden gate reason codes. */
  override_codes: string | null;
  override_reason: string | null;
  source_key: string | null;
  created_at: string;
}

export interface DeviceIssueCartridgeTable {
  issue_id: string;
  cartridge_id: string;
  outcome: string | null;
  report_id: string | null;
}

export interface DevicePolicyTable {
  force_id: string;
  spare_cartridges: number;
  /** JSON array of gate reason codes an inspector may override. */
  overridable: string;
  updated_at: string;
}

/** A proposal to quarantine the device a discharge report names (issue 12); open while `decided_at` is null. */
export interface DeviceQuarantineProposalTable {
  id: string;
  force_id: string;
  report_id: string;
  device_id: string | null;
  device_serial: string;
  reason: string;
  proposed_at: string;
  decided_at: string | null;
  decided_by: string | null;
  /** quarantined or declined */
  decision: string | null;
  decision_note: string | null;
}

/** One entry of a device's own event log (issue 13), identified by force, serial and sequence. */
export interface DeviceLogEntryTable {
  force_id: string;
  device_serial: string;
  sequence: number;
  /** The device's clock, `YYYY-MM-DD HH:MM:SS`, UTC with no zone. */
  device_time: string;
  /** armed, safe, trigger, arc, time_sync or other */
  event: string;
  duration_s: number | null;
  bay: number | null;
  cartridge_serial: string | null;
  battery_pct: number | null;
  temperature_c: number | null;
  /** ISO 8601 UTC, on time_sync entries: the right time at the sync. */
  true_time: string | null;
  download_id: string;
}

/** A download of a device's log imported (per device in the file). */
export interface DeviceLogDownloadTable {
  id: string;
  force_id: string;
  device_serial: string;
  device_id: string | null;
  /** cli, upload or api */
  source: string;
  file_name: string;
  entries: number;
  added: number;
  first_sequence: number;
  last_sequence: number;
  downloaded_at: string;
  actor_id: string | null;
}

/** A run of the reconciliation of device logs with reports. */
export interface ReconciliationRunTable {
  id: string;
  force_id: string;
  from_on: string;
  to_on: string;
  ran_at: string;
  actor_id: string | null;
  /** JSON summary: events read, function tests, episodes, reports matched, exceptions by kind. */
  summary: string;
}

/** Something the reconciliation found that does not add up; resolved with an outcome and a reason. */
export interface ReconciliationExceptionTable {
  id: string;
  force_id: string;
  key: string;
  kind: string;
  device_serial: string;
  device_id: string | null;
  borough_id: string | null;
  starts_at: string;
  ends_at: string;
  /** JSON array of report ids (Cedar's or imported rows'). */
  report_ids: string;
  /** JSON array of the reports' references. */
  report_refs: string;
  officer_id: string | null;
  officer_collar: string | null;
  detail: string;
  evidence: string;
  /** open, resolved or cleared */
  state: string;
  outcome: string | null;
  resolution_reason: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  found_at: string;
  last_seen_at: string;
  revision: number;
}

/** A report confirmed by an episode of its device's log. */
export interface ReconciliationMatchTable {
  id: string;
  force_id: string;
  /** report or imported */
  report_kind: string;
  report_id: string;
  device_serial: string;
  episode_starts_at: string;
  episode_ends_at: string;
  triggers: number;
  arcs: number;
  /** How far the episode's true time may be out, in seconds. */
  widen_s: number;
  /** JSON array of cycle lengths in seconds. */
  cycles: string;
  run_id: string;
  matched_at: string;
}

/** An officer's rostered shift (issue 14); (force_id, officer_id, starts_at) is its natural key. */
export interface ShiftTable {
  id: string;
  force_id: string;
  officer_id: string;
  borough_id: string;
  team_id: string | null;
  call_sign: string | null;
  /** The London date the roster gives (the day the shift starts), YYYY-MM-DD. */
  london_date: string;
  /** ISO 8601 UTC instants; ends_at is after starts_at. */
  starts_at: string;
  ends_at: string;
  /** cli, upload or api */
  source: string;
  created_at: string;
  updated_at: string;
  revision: number;
}

/** The crewing rules, force-wide (scope `force`, borough_id null) or one borough's override (scope = borough_id). */
export interface CrewingPolicyTable {
  force_id: string;
  scope: string;
  borough_id: string | null;
  /** 1 or 2 */
  carriers_per_crew: number;
  /** JSON array of ranks that may deploy alone. */
  solo_ranks: string;
  minimum_crews: number;
  briefing_before_minutes: number;
  briefing_after_minutes: number;
  updated_at: string;
  updated_by: string;
  revision: number;
}

/** A crew a sergeant saved for one shift period of a borough. */
export interface CrewTable {
  id: string;
  force_id: string;
  borough_id: string;
  team_id: string | null;
  call_sign: string;
  london_date: string;
  starts_at: string;
  ends_at: string;
  saved_by: string;
  saved_at: string;
  revision: number;
}

/** An officer in a saved crew: carrier, partner or solo; a carrier's device_id is pre-filled at the gate. */
export interface CrewMemberTable {
  crew_id: string;
  force_id: string;
  officer_id: string;
  /** The crew's starts_at, so an officer is in one crew per period. */
  starts_at: string;
  /** carrier, partner or solo */
  role: string;
  device_id: string | null;
}

export interface DB {
  force: ForceTable;
  borough: BoroughTable;
  team: TeamTable;
  officer: OfficerTable;
  app_user: UserTable;
  user_role: UserRoleTable;
  session: SessionTable;
  api_token: ApiTokenTable;
  kept_form: KeptFormTable;
  audit_log: AuditLogTable;
  incident: IncidentTable;
  uof_report: ReportTable;
  uof_report_version: ReportVersionTable;
  uof_report_event: ReportEventTable;
  uof_report_referral_outcome: ReportReferralOutcomeTable;
  imported_report: ImportedReportTable;
  imported_report_row: ImportedReportRowTable;
  release: ReleaseTable;
  release_file: ReleaseFileTable;
  home_office_table: HomeOfficeTableTable;
  home_office_table_row: HomeOfficeTableRowTable;
  course_type: CourseTypeTable;
  training_session: TrainingSessionTable;
  session_trainer: SessionTrainerTable;
  enrolment: EnrolmentTable;
  training_record: TrainingRecordTable;
  change_counter: ChangeCounterTable;
  authority_restriction: AuthorityRestrictionTable;
  uplift_plan: UpliftPlanTable;
  device_model: DeviceModelTable;
  device: DeviceTable;
  device_event: DeviceEventTable;
  cartridge: CartridgeTable;
  device_issue: DeviceIssueTable;
  device_issue_cartridge: DeviceIssueCartridgeTable;
  device_policy: DevicePolicyTable;
  device_quarantine_proposal: DeviceQuarantineProposalTable;
  device_log_entry: DeviceLogEntryTable;
  device_log_download: DeviceLogDownloadTable;
  reconciliation_run: ReconciliationRunTable;
  reconciliation_exception: ReconciliationExceptionTable;
  reconciliation_match: ReconciliationMatchTable;
  shift: ShiftTable;
  crewing_policy: CrewingPolicyTable;
  crew: CrewTable;
  crew_member: CrewMemberTable;
}
