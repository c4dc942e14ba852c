// Vietnamese for the designer: bpmnlint rule messages (wrapping the rule reporters) and the bpmn-js
// translate service (palette, context pad, properties panel groups). Untranslated strings pass through.

// [pattern, Vietnamese] — bpmnlint recommended rules; `$1` keeps names quoted in the original message.
const LINT = [
  [/^Element is missing label\/name$/, 'Phần tử chưa có nhãn/tên'],
  [/^Element is missing name$/, 'Phần tử chưa có tên'],
  [/^Element is not connected$/, 'Phần tử chưa được nối với luồng nào'],
  [/^Element is an implicit start$/, 'Phần tử là điểm bắt đầu ngầm định (thiếu luồng vào)'],
  [/^Element is an implicit end$/, 'Phần tử là điểm kết thúc ngầm định (thiếu luồng ra)'],
  [/^Element is missing bpmndi$/, 'Phần tử thiếu thông tin bố cục (bpmndi)'],
  [/^Element is outside of parent boundary$/, 'Phần tử nằm ngoài khung chứa'],
  [/^Element is unused$/, 'Phần tử không được dùng'],
  [/^Element name is not unique$/, 'Tên phần tử bị trùng'],
  [/^Element overlaps with other element$/, 'Phần tử chồng lên phần tử khác'],
  [/^Element type <(.*)> is discouraged$/, 'Không nên dùng loại phần tử <$1>'],
  [/^(.*) is missing start event$/, '$1 thiếu sự kiện bắt đầu'],
  [/^(.*) is missing end event$/, '$1 thiếu sự kiện kết thúc'],
  [/^Start event must be blank$/, 'Sự kiện bắt đầu phải là loại trống'],
  [/^Start event is missing event definition$/, 'Sự kiện bắt đầu thiếu định nghĩa sự kiện'],
  [/^Event has multiple event definitions$/, 'Sự kiện có nhiều định nghĩa sự kiện'],
  [/^Sequence flow is missing condition$/, 'Luồng tuần tự thiếu điều kiện'],
  [/^Sequence flow has superfluous label$/, 'Luồng tuần tự có nhãn thừa'],
  [/^SequenceFlow is a duplicate$/, 'Luồng tuần tự bị trùng'],
  [/^Duplicate incoming sequence flows$/, 'Luồng vào bị trùng'],
  [/^Duplicate outgoing sequence flows$/, 'Luồng ra bị trùng'],
  [/^Flow splits implicitly$/, 'Luồng rẽ nhánh ngầm định (nên dùng cổng)'],
  [/^Gateway forks and joins$/, 'Cổng vừa rẽ nhánh vừa hợp nhánh'],
  [/^Gateway is superfluous\. It only has one source and target\.$/, 'Cổng thừa: chỉ có một luồng vào và một luồng ra'],
  [/^Incoming flows do not join$/, 'Các luồng vào không được hợp nhánh'],
  [/^Termination is superfluous\.$/, 'Sự kiện kết thúc dừng hẳn (terminate) là thừa'],
  [/^Conditional event is missing a condition$/, 'Sự kiện điều kiện thiếu điều kiện'],
  [/^Link event is missing link name$/, 'Sự kiện liên kết thiếu tên liên kết'],
  [/^Link catch event with link name <(.*)> missing in scope$/, 'Thiếu sự kiện liên kết nhận tên <$1>'],
  [/^Duplicate link catch event with link name <(.*)> in scope$/, 'Trùng sự kiện liên kết nhận tên <$1>'],
  [/^An <Event-based Gateway> must have at least 2 outgoing <Sequence Flows>$/, 'Cổng theo sự kiện cần ít nhất 2 luồng ra'],
  [/^A <Sequence Flow> outgoing from an <Event-based Gateway> must not be conditional$/,
    'Luồng ra từ cổng theo sự kiện không được có điều kiện'],
];

export function lintMessageVi(message) {
  for (const [pattern, vi] of LINT) {
    if (pattern.test(message)) {
      return message.replace(pattern, vi);
    }
  }
  return message;
}

// Wrap a compiled bpmnlint bundle ({ config, resolver }) so every report goes through `translate`.
export function localizeLint(bundle, translate) {
  const wrapReporter = (reporter) => ({ report: (id, message, path) => reporter.report(id, translate(message), path) });
  const wrapRule = (factory) => (config) => {
    const rule = factory(config);
    const { check } = rule;
    const wrapped = typeof check === 'function'
      ? (node, reporter) => check(node, wrapReporter(reporter))
      : {
        enter: check.enter && ((node, reporter) => check.enter(node, wrapReporter(reporter))),
        leave: check.leave && ((node, reporter) => check.leave(node, wrapReporter(reporter))),
      };
    return { ...rule, check: wrapped };
  };
  return {
    config: bundle.config,
    resolver: {
      resolveRule: (pkg, name) => Promise.resolve(bundle.resolver.resolveRule(pkg, name)).then((f) => f && wrapRule(f)),
      resolveConfig: (pkg, name) => bundle.resolver.resolveConfig(pkg, name),
    },
  };
}

// bpmn-js / properties panel labels.
const UI = {
  'Activate hand tool': 'Công cụ kéo sơ đồ',
  'Activate lasso tool': 'Công cụ chọn vùng',
  'Activate create/remove space tool': 'Công cụ thêm/bớt khoảng trống',
  'Activate global connect tool': 'Công cụ nối',
  'Create expanded sub-process': 'Tạo quy trình con',
  'Create pool/participant': 'Tạo bể (pool)',
  'Activate the hand tool': 'Công cụ kéo sơ đồ',
  'Activate the lasso tool': 'Công cụ chọn vùng',
  'Activate the create/remove space tool': 'Công cụ thêm/bớt khoảng trống',
  'Activate the global connect tool': 'Công cụ nối',
  'Create StartEvent': 'Tạo sự kiện bắt đầu',
  'Create start event': 'Tạo sự kiện bắt đầu',
  'Create EndEvent': 'Tạo sự kiện kết thúc',
  'Create end event': 'Tạo sự kiện kết thúc',
  'Create Intermediate/Boundary Event': 'Tạo sự kiện trung gian/biên',
  'Create intermediate/boundary event': 'Tạo sự kiện trung gian/biên',
  'Create Gateway': 'Tạo cổng',
  'Create gateway': 'Tạo cổng',
  'Create Task': 'Tạo công việc',
  'Create task': 'Tạo công việc',
  'Create expanded SubProcess': 'Tạo quy trình con',
  'Create Pool/Participant': 'Tạo bể (pool)',
  'Create DataObjectReference': 'Tạo đối tượng dữ liệu',
  'Create data object reference': 'Tạo đối tượng dữ liệu',
  'Create DataStoreReference': 'Tạo kho dữ liệu',
  'Create data store reference': 'Tạo kho dữ liệu',
  'Create Group': 'Tạo nhóm',
  'Create group': 'Tạo nhóm',
  'Append Task': 'Nối công việc',
  'Append task': 'Nối công việc',
  'Append EndEvent': 'Nối sự kiện kết thúc',
  'Append end event': 'Nối sự kiện kết thúc',
  'Append Gateway': 'Nối cổng',
  'Append gateway': 'Nối cổng',
  'Append Intermediate/Boundary Event': 'Nối sự kiện trung gian',
  'Append intermediate/boundary event': 'Nối sự kiện trung gian',
  'Append TextAnnotation': 'Thêm chú thích',
  'Add text annotation': 'Thêm chú thích',
  'Change type': 'Đổi loại',
  'Change element': 'Đổi loại',
  'Connect using Sequence/MessageFlow or Association': 'Nối bằng luồng hoặc liên kết',
  'Connect to other element': 'Nối tới phần tử khác',
  'Delete': 'Xoá',
  'Remove': 'Xoá',
  'Add Lane above': 'Thêm làn phía trên',
  'Add lane above': 'Thêm làn phía trên',
  'Add Lane below': 'Thêm làn phía dưới',
  'Add lane below': 'Thêm làn phía dưới',
  'Divide into two Lanes': 'Chia thành hai làn',
  'Divide into two lanes': 'Chia thành hai làn',
  'Divide into three Lanes': 'Chia thành ba làn',
  'Divide into three lanes': 'Chia thành ba làn',
  'General': 'Chung',
  'Name': 'Tên',
  'ID': 'Mã',
  'Documentation': 'Mô tả',
  'Element documentation': 'Mô tả phần tử',
  'Process documentation': 'Mô tả quy trình',
  'Version tag': 'Nhãn phiên bản',
  'Executable': 'Thực thi được',
  'Condition': 'Điều kiện',
  'Condition expression': 'Biểu thức điều kiện',
  'Timer': 'Hẹn giờ',
  'Type': 'Loại',
  'Value': 'Giá trị',
  'Message': 'Thông điệp',
  'Signal': 'Tín hiệu',
  'Error': 'Lỗi',
  'Escalation': 'Chuyển cấp',
  'Multi-instance': 'Nhiều phiên bản',
  'Inputs': 'Đầu vào',
  'Outputs': 'Đầu ra',
  'Properties': 'Thuộc tính',
  'Extension properties': 'Thuộc tính mở rộng',
  'Task': 'Công việc',
  'User task': 'Công việc của người',
  'Service task': 'Công việc dịch vụ',
  'Script task': 'Công việc kịch bản',
  'Exclusive gateway': 'Cổng loại trừ',
  'Parallel gateway': 'Cổng song song',
  'Inclusive gateway': 'Cổng bao hàm',
  'Start event': 'Sự kiện bắt đầu',
  'End event': 'Sự kiện kết thúc',
  'Sequence flow': 'Luồng tuần tự',
  'Lane': 'Làn',
  'Participant': 'Bể (pool)',
  'Process': 'Quy trình',
  'Toggle Linting': 'Bật/tắt kiểm tra',
  'Toggle linting': 'Bật/tắt kiểm tra',
  'Search in diagram': 'Tìm trong sơ đồ',
};

export function translateVi(template, replacements) {
  const text = UI[template] || template;
  return text.replace(/{([^}]+)}/g, (_, key) => ((replacements || {})[key] ?? `{${key}}`));
}

export const viTranslateModule = { translate: ['value', translateVi] };
