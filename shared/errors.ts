// Stable error codes that cross the wire. UIs translate by code; `message` is the hall-language default.

export const ERROR_MESSAGES = {
  VALIDATION_FAILED: { zh: '请求内容不正确', en: 'The request is malformed' },
  UNAUTHORIZED: { zh: '设备未授权，请重新配对', en: 'This device is not authorised; pair it again' },
  FORBIDDEN: { zh: '此设备无权执行该操作', en: 'This device may not do that' },
  PROTOCOL_MISMATCH: { zh: '客户端版本与服务器不兼容，请更新', en: 'This client is not compatible with the hall server; update it' },
  NOT_FOUND: { zh: '未找到', en: 'Not found' },
  INTERNAL: { zh: '服务器内部错误，请稍后再试', en: 'Internal server error; try again shortly' },
  STORE_UNAVAILABLE: { zh: '服务器暂时无法保存数据，请稍后再试', en: 'The server cannot save right now; try again shortly' },
  RATE_LIMITED: { zh: '操作过于频繁，请稍后再试', en: 'Too many requests; slow down' },
  PAYLOAD_TOO_LARGE: { zh: '请求内容过大', en: 'The request is too large' },

  SERVICE_NOT_FOUND: { zh: '该事项不存在', en: 'No such service' },
  SERVICE_INACTIVE: { zh: '该事项暂停取号', en: 'This service is not issuing tickets' },
  OUTSIDE_ISSUING_PERIOD: { zh: '当前不在该事项的取号时间内', en: 'This service is outside its issuing hours' },
  QUOTA_EXHAUSTED: { zh: '该事项今日号源已取完', en: "Today's tickets for this service are all taken" },
  ISSUING_PAUSED: { zh: '该事项已暂停取号', en: 'Ticket issuing for this service is paused' },
  ISSUING_ALREADY_PAUSED: { zh: '该事项已经暂停取号', en: 'Issuing for this service is already paused' },
  ISSUING_NOT_PAUSED: { zh: '该事项没有暂停取号', en: 'Issuing for this service is not paused' },
  ID_REQUIRED: { zh: '该事项需要实名取号，请输入身份证号', en: 'This service needs an ID number' },
  ID_FORMAT: { zh: '身份证号应为18位数字（末位可为X）', en: 'An ID number has 18 characters: digits, the last may be X' },
  ID_BIRTH_DATE: { zh: '身份证号中的出生日期不正确', en: 'The birth date in the ID number is not valid' },
  ID_CHECKSUM: { zh: '身份证号校验位不正确，请核对', en: 'The ID number check digit is wrong; please check it' },
  ID_DAILY_LIMIT: { zh: '该证件今日在此事项的取号次数已达上限', en: 'This ID has reached its daily ticket limit for this service' },
  PRIORITY_NOT_ELIGIBLE: { zh: '不符合优先条件', en: 'Not eligible for priority' },
  IDEMPOTENCY_CONFLICT: { zh: '重复的请求编号用于不同的取号请求', en: 'The idempotency key was already used for a different request' },

  NOT_SIGNED_IN: { zh: '请先登录', en: 'Sign in first' },
  ALREADY_SIGNED_IN: { zh: '本窗口已有工作人员登录', en: 'A clerk is already signed in at this counter' },
  SIGN_IN_FAILED: { zh: '账号或密码错误', en: 'Wrong login or password' },
  SIGN_IN_LOCKED: { zh: '密码错误次数过多，账号已暂时锁定，请15分钟后再试', en: 'Too many wrong passwords; this login is locked for 15 minutes' },
  SESSION_EXPIRED: { zh: '登录已过期，请重新登录', en: 'Your session has expired; sign in again' },
  SESSION_ENDED: { zh: '本终端的登录已结束，请重新登录', en: "This terminal's sign-in has ended; sign in again" },
  STAFF_BUSY: {
    zh: '该工作人员正在其他窗口办理业务，请先在该窗口办结或转移，或请大厅管理员释放该窗口',
    en: 'This clerk is serving a visitor at another counter: finish or transfer there first, or ask a hall manager to release that counter',
  },
  ASSIST_NOT_FOUND: { zh: '该求助不存在或已不是今天的求助', en: 'No such request for help today' },
  ASSIST_ALREADY_HANDLED: { zh: '该求助已由其他管理员接手', en: 'Another manager has already taken this request' },
  NOT_A_MANAGER: { zh: '该账号不是大厅管理员账号', en: 'This account is not a hall manager' },
  COUNTER_NOT_FOUND: { zh: '窗口不存在', en: 'No such counter' },
  COUNTER_BUSY: { zh: '请先处理当前号码', en: 'Finish the current ticket first' },
  COUNTER_CHANGED: { zh: '该窗口的情况已经变化，请核对后再操作', en: 'The counter has changed since you looked at it; check it and try again' },
  COUNTER_PAUSED: { zh: '窗口已暂停服务', en: 'The counter is paused' },
  COUNTER_NOT_PAUSED: { zh: '窗口未暂停', en: 'The counter is not paused' },
  NO_TICKET_WAITING: { zh: '当前没有等候的号码', en: 'No ticket is waiting' },
  NO_CURRENT_TICKET: { zh: '当前没有正在呼叫或办理的号码', en: 'No ticket is being called or served' },
  TICKET_NOT_FOUND: { zh: '号码不存在', en: 'No such ticket' },
  TICKET_NOT_WAITING: { zh: '该号码不在等候中', en: 'That ticket is not waiting' },
  TICKET_NOT_CALLED: { zh: '该号码尚未呼叫', en: 'That ticket has not been called' },
  TICKET_ALREADY_STARTED: { zh: '该号码已开始办理', en: 'That ticket is already being served' },
  TICKET_NOT_SERVING: { zh: '请先开始办理', en: 'Start serving the ticket first' },
  TICKET_NOT_SUSPENDED: { zh: '该号码未挂起', en: 'That ticket is not suspended' },
  TICKET_NOT_NO_SHOW: { zh: '该号码不是过号状态', en: 'That ticket is not a no-show' },
  GRACE_PERIOD_OVER: { zh: '已超过过号恢复时限，请重新取号', en: 'The no-show grace period is over; take a new ticket' },
  NOT_YOUR_TICKET: { zh: '该号码不属于本窗口', en: 'That ticket belongs to another counter' },
  SERVICE_NOT_SERVED: { zh: '本窗口不办理该事项', en: 'This counter does not serve that service' },
  TRANSFER_TO_SELF: { zh: '不能转移到当前事项或本窗口', en: 'Cannot transfer to the same service or counter' },
} as const satisfies Record<string, { zh: string; en: string }>;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export const ERROR_CODES = Object.keys(ERROR_MESSAGES) as ErrorCode[];

export interface HallError {
  code: ErrorCode;
  message: string;
}

export function hallError(code: ErrorCode, message?: string): HallError {
  return { code, message: message ?? ERROR_MESSAGES[code].zh };
}

export function isHallError(value: unknown): value is HallError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    (value as { code: string }).code in ERROR_MESSAGES
  );
}
