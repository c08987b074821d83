/**
 * The one error table. Every error a client can see has a SCREAMING_SNAKE code (domain first),
 * an HTTP status and a default message written for the person who will read it. Areas add their
 * codes here so the whole contract is visible in one place.
 */
export const ERRORS = {
  // generic request problems
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid.' },
  INVALID_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  BAD_REQUEST: { status: 400, message: 'The request could not be understood.' },
  UNAUTHENTICATED: { status: 401, message: 'Please sign in.' },
  FORBIDDEN: { status: 403, message: 'You are not allowed to do this.' },
  NOT_FOUND: { status: 404, message: 'Not found.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed here.' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request body has an unsupported content type.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; please wait a moment and try again.' },
  INTERNAL: { status: 500, message: 'Something went wrong on our side. Please try again later.' },
  NOT_IMPLEMENTED: { status: 501, message: 'This method is not supported.' },
  /** also what nginx answers (nginx.conf) when no app instance responds */
  SERVICE_UNAVAILABLE: { status: 503, message: 'The service is temporarily unavailable. Please try again shortly.' },
  NOT_READY: { status: 503, message: 'The service is not ready.' },
  // usage
  USAGE_BATCH_INVALID: { status: 400, message: 'The usage event batch is not valid.' },
  // WeChat message push (/wechat)
  WECHAT_SIGNATURE_INVALID: { status: 401, message: 'The push signature is missing or wrong.' },
  WECHAT_TIMESTAMP_STALE: { status: 401, message: 'The push timestamp is outside the accepted window.' },
  WECHAT_PUSH_REPLAYED: { status: 409, message: 'This signed push was already received.' },
  WECHAT_ENCRYPTION_REQUIRED: { status: 400, message: 'The account is in safe mode: pushes must be encrypted.' },
  WECHAT_DECRYPT_FAILED: { status: 400, message: 'The encrypted push could not be decrypted.' },
  WECHAT_APPID_MISMATCH: { status: 400, message: 'The encrypted push is for another account.' },
  WECHAT_XML_INVALID: { status: 400, message: 'The push body is not acceptable XML.' },
  // WeChat platform API (outbound)
  WECHAT_API_FAILED: { status: 502, message: 'The WeChat platform did not accept the request.' },
  WECHAT_API_UNAVAILABLE: { status: 504, message: 'The WeChat platform could not be reached.' },
  // custom menu
  MENU_INVALID: { status: 400, message: 'The menu breaks a platform rule.' },
  MENU_VERSION_NOT_FOUND: { status: 404, message: 'No such menu version.' },
  MENU_NOT_DRAFT: { status: 409, message: 'Only a draft menu can be changed or published.' },
  MENU_ROLLBACK_INVALID: { status: 409, message: '只能回滚到以前发布过、现已被替换的菜单版本。' },
  // auto-reply rules
  AUTO_REPLY_RULE_INVALID: { status: 400, message: 'The auto-reply rule is not valid.' },
  AUTO_REPLY_RULE_NOT_FOUND: { status: 404, message: 'No such auto-reply rule.' },
  // citizen OAuth and session
  CITIZEN_AUTH_REQUIRED: { status: 401, message: 'Please open this page from the WeChat account to sign in.' },
  OAUTH_STATE_INVALID: { status: 400, message: 'This sign-in link has expired or was not started in this browser. Please try again.' },
  OAUTH_CODE_INVALID: { status: 400, message: 'WeChat did not confirm the sign-in. Please try again.' },
  OAUTH_RETURN_INVALID: { status: 400, message: 'The return address must be a page of this portal.' },
  JSSDK_URL_NOT_ALLOWED: { status: 400, message: 'JS-SDK configuration is only given for this portal’s pages.' },
  // sandbox (simulated platform control API)
  SANDBOX_CITIZEN_NOT_FOUND: { status: 404, message: 'No such sandbox citizen.' },
  // violations, vehicles and licence points (citizen-facing: messages in Chinese)
  VIOLATION_PLATE_INVALID: { status: 400, message: '号牌种类或号牌号码不正确。' },
  VIOLATION_PROOF_REQUIRED: { status: 400, message: '请输入车辆识别代号（车架号）或发动机号的后6位。' },
  VIOLATION_PROOF_FAILED: { status: 422, message: '号牌号码与车架号或发动机号后6位不匹配，请核对后重试。' },
  VIOLATION_LOOKUP_LIMITED: { status: 429, message: '核验失败次数过多，请稍后再试。' },
  VEHICLE_NOT_FOUND: { status: 404, message: '未找到该车辆。' },
  VEHICLE_ALREADY_BOUND: { status: 409, message: '该车辆已绑定到您的账号。' },
  VEHICLE_BIND_LIMIT: { status: 409, message: '绑定的车辆已达上限，请先解绑不再使用的车辆。' },
  LICENCE_NOT_FOUND: { status: 404, message: '未找到与您账号关联的驾驶证。' },
  // appointments (citizen-facing: messages in Chinese)
  APPOINTMENT_SERVICE_NOT_FOUND: { status: 404, message: '未找到该预约业务。' },
  APPOINTMENT_OFFICE_NOT_FOUND: { status: 404, message: '未找到该办理网点。' },
  APPOINTMENT_SLOT_NOT_FOUND: { status: 404, message: '未找到该预约时段。' },
  APPOINTMENT_NOT_FOUND: { status: 404, message: '未找到该预约。' },
  APPOINTMENT_SLOT_FULL: { status: 409, message: '该时段已约满，请选择其他时段。' },
  APPOINTMENT_OFFICE_CLOSED: { status: 409, message: '该网点当天不办公，请选择其他日期。' },
  APPOINTMENT_TOO_LATE: { status: 422, message: '该时段已过或距开始时间太近，请选择较晚的时段。' },
  APPOINTMENT_TOO_FAR_AHEAD: { status: 422, message: '该时段超出可预约的日期范围。' },
  APPOINTMENT_SERVICE_LIMIT: { status: 409, message: '您已有该业务的有效预约，请先取消或改约。' },
  APPOINTMENT_DAY_LIMIT: { status: 409, message: '您当天在该网点已有预约，每人每天每个网点限约一次。' },
  APPOINTMENT_NO_SHOW_BLOCKED: { status: 409, message: '因多次预约未到，暂时不能预约。' },
  APPOINTMENT_CHANGE_CUTOFF: { status: 422, message: '距预约开始时间太近，已不能取消或改约。' },
  APPOINTMENT_NOT_ACTIVE: { status: 409, message: '该预约已取消或已办理，不能再更改。' },
  APPOINTMENT_RESCHEDULE_INVALID: { status: 422, message: '改约只能改到同一业务的其他时段。' },
  // applications, attachments and 好差评 (citizen- and staff-facing: messages in Chinese)
  APPLICATION_TYPE_NOT_FOUND: { status: 404, message: '未找到该申请事项。' },
  APPLICATION_NOT_FOUND: { status: 404, message: '未找到该申请。' },
  APPLICATION_ANSWERS_INVALID: { status: 400, message: '申请表填写有误，请按提示修改。' },
  APPLICATION_TRANSITION_NOT_ALLOWED: { status: 409, message: '该申请当前的状态不允许此操作，请刷新后查看。' },
  APPLICATION_ROLE_FORBIDDEN: { status: 403, message: '您的角色不能对该申请执行此操作。' },
  APPLICATION_REASON_REQUIRED: { status: 400, message: '请填写原因，申请人将看到这段说明。' },
  APPLICATION_ASSIGNEE_INVALID: { status: 400, message: '只能分派给在岗的办理人员。' },
  APPLICATION_RATING_NOT_OPEN: { status: 409, message: '该阶段尚未完成，暂不能评价。' },
  APPLICATION_ALREADY_RATED: { status: 409, message: '您已评价过该阶段，每个阶段只能评价一次。' },
  FOLLOW_UP_NOT_FOUND: { status: 404, message: '未找到该差评回访。' },
  FOLLOW_UP_CLOSED: { status: 409, message: '该差评回访已办结。' },
  ATTACHMENT_NOT_FOUND: { status: 404, message: '未找到该附件。' },
  ATTACHMENT_TOO_LARGE: { status: 413, message: '文件太大，请压缩后重新上传。' },
  ATTACHMENT_TYPE_NOT_ALLOWED: { status: 415, message: '只能上传 JPG、PNG 图片或 PDF 文件。' },
  ATTACHMENT_EMPTY: { status: 400, message: '文件内容为空，请重新选择。' },
  // notification log (admin view: messages in Chinese)
  NOTIFICATION_NOT_FOUND: { status: 404, message: '未找到该通知记录。' },
  NOTIFICATION_NOT_RETRYABLE: { status: 409, message: '只有发送失败的通知可以重新发送。' },
  // appointment operations in the admin view (staff-facing)
  APPOINTMENT_CHECK_IN_NOT_TODAY: { status: 409, message: '只能在预约当天办理签到。' },
  APPOINTMENT_NO_SHOW_TOO_EARLY: { status: 409, message: '预约时段开始之前不能标记为未到。' },
  APPOINTMENT_HOURS_INVALID: { status: 400, message: '营业时间设置不正确。' },
  APPOINTMENT_CLOSURE_INVALID: { status: 400, message: '闭馆日期不正确。' },
  APPOINTMENT_CLOSURE_NOT_FOUND: { status: 404, message: '未找到该闭馆安排。' },
  // staff sign-in and accounts (admin view: messages in Chinese)
  STAFF_LOGIN_FAILED: { status: 401, message: '用户名或密码错误。' },
  STAFF_LOGIN_LOCKED: { status: 429, message: '登录失败次数过多，该账号已暂时锁定，请稍后再试。' },
  STAFF_CSRF_INVALID: { status: 403, message: '安全令牌缺失或无效，请刷新页面后重试。' },
  STAFF_ORIGIN_REJECTED: { status: 403, message: '请求来自其他站点，已拒绝。' },
  STAFF_NOT_FOUND: { status: 404, message: '未找到该工作人员账号。' },
  STAFF_USERNAME_TAKEN: { status: 409, message: '该用户名已被使用。' },
  STAFF_PASSWORD_WEAK: { status: 400, message: '密码太弱：至少10个字符，且不能与用户名相同。' },
  STAFF_LAST_ADMIN: { status: 409, message: '不能停用或降级最后一个可用的管理员账号。' },
  STAFF_SELF_CHANGE: { status: 409, message: '不能停用自己的账号或更改自己的角色。' },
  STAFF_CURRENT_PASSWORD_WRONG: { status: 400, message: '当前密码不正确。' },
  // evaluator reports (admin view)
  REPORT_RANGE_INVALID: { status: 400, message: '日期范围不正确。' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    /** safe, client-facing details (e.g. which fields failed); never internals */
    readonly details?: unknown,
    /** extra response headers, e.g. Retry-After */
    readonly headers?: Record<string, string>,
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
  }
}

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;
