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
  // replace menu ("Đổi loại") and the properties panel's header
  'User Task': 'Công việc của người', 'Script Task': 'Công việc kịch bản',
  'Business Rule Task': 'Công việc theo bảng quyết định', 'Service Task': 'Công việc dịch vụ',
  'Manual Task': 'Công việc thủ công', 'Send Task': 'Công việc gửi', 'Receive Task': 'Công việc nhận',
  'Call Activity': 'Gọi quy trình khác', 'Sub Process': 'Quy trình con', 
  'Event Based Gateway': 'Cổng theo sự kiện', 'Complex Gateway': 'Cổng phức hợp',
  'Intermediate Throw Event': 'Sự kiện trung gian (phát)', 'Boundary Event': 'Sự kiện biên',
  'Text Annotation': 'Chú thích', 'Data Object Reference': 'Đối tượng dữ liệu', 'Data Store Reference': 'Kho dữ liệu',
  'Message Flow': 'Luồng thông điệp', 'Association': 'Liên kết', 'Start Event': 'Sự kiện bắt đầu', 'End Event': 'Sự kiện kết thúc',
  'Exclusive Gateway': 'Cổng loại trừ', 'Parallel Gateway': 'Cổng song song', 'Inclusive Gateway': 'Cổng bao hàm',
  'Sequence Flow': 'Luồng tuần tự', 'Collaboration': 'Cộng tác', 'Intermediate Catch Event': 'Sự kiện trung gian (nhận)',
  'Message Intermediate Catch Event': 'Sự kiện trung gian nhận thông điệp',
  'Timer Intermediate Catch Event': 'Sự kiện trung gian hẹn giờ',
  'Manual task': 'Công việc thủ công', 'Send task': 'Công việc gửi', 'Receive task': 'Công việc nhận',
  'Business rule task': 'Công việc theo bảng quyết định', 'Call activity': 'Gọi quy trình khác',
  'Sub-process (collapsed)': 'Quy trình con (thu gọn)', 'Sub-process (expanded)': 'Quy trình con (mở rộng)',
  'Ad-hoc sub-process (collapsed)': 'Quy trình con tuỳ biến (thu gọn)',
  'Ad-hoc sub-process (expanded)': 'Quy trình con tuỳ biến (mở rộng)',
  'Complex gateway': 'Cổng phức hợp', 'Event-based gateway': 'Cổng theo sự kiện',
  'Message start event': 'Sự kiện bắt đầu bằng thông điệp', 'Timer start event': 'Sự kiện bắt đầu hẹn giờ',
  'Conditional start event': 'Sự kiện bắt đầu có điều kiện', 'Signal start event': 'Sự kiện bắt đầu bằng tín hiệu',
  'Intermediate throw event': 'Sự kiện trung gian (phát)',
  'Message intermediate catch event': 'Sự kiện trung gian nhận thông điệp',
  'Message intermediate throw event': 'Sự kiện trung gian gửi thông điệp',
  'Timer intermediate catch event': 'Sự kiện trung gian hẹn giờ',
  'Escalation intermediate throw event': 'Sự kiện trung gian chuyển cấp',
  'Conditional intermediate catch event': 'Sự kiện trung gian có điều kiện',
  'Link intermediate catch event': 'Sự kiện liên kết (nhận)', 'Link intermediate throw event': 'Sự kiện liên kết (phát)',
  'Compensation intermediate throw event': 'Sự kiện trung gian bù trừ',
  'Signal intermediate catch event': 'Sự kiện trung gian nhận tín hiệu',
  'Signal intermediate throw event': 'Sự kiện trung gian phát tín hiệu',
  'Message end event': 'Sự kiện kết thúc gửi thông điệp', 'Escalation end event': 'Sự kiện kết thúc chuyển cấp',
  'Error end event': 'Sự kiện kết thúc báo lỗi', 'Compensation end event': 'Sự kiện kết thúc bù trừ',
  'Signal end event': 'Sự kiện kết thúc phát tín hiệu', 'Terminate end event': 'Sự kiện kết thúc dừng hẳn',
  'Empty pool/participant (removes content)': 'Bể trống (xoá nội dung)',
  'Empty pool/participant': 'Bể trống', 'Expanded pool/participant': 'Bể mở rộng',
  'Loop': 'Lặp', 'Parallel multi-instance': 'Nhiều phiên bản song song',
  'Sequential multi-instance': 'Nhiều phiên bản tuần tự',
  'Global message reference': 'Thông điệp dùng chung', 'Create new ...': 'Tạo mới ...', '<none>': '<không có>',
  'Participant ID': 'Mã bể', 'Participant Name': 'Tên bể', 'Participant multiplicity': 'Số lượng bể',
  'Process ID': 'Mã quy trình', 'Process name': 'Tên quy trình',
  'Open pop-up editor': 'Mở trình soạn thảo', 'Section contains edits': 'Nhóm đã sửa',
  'Section contains an error': 'Nhóm có lỗi', 'Toggle section': 'Mở/đóng nhóm',
  'Motcua': 'Thiết lập Một cửa',
  'Toggle Linting': 'Bật/tắt kiểm tra',
  'Toggle linting': 'Bật/tắt kiểm tra',
  'Search in diagram': 'Tìm trong sơ đồ',
};

export function translateVi(template, replacements) {
  const text = UI[template] || template;
  return text.replace(/{([^}]+)}/g, (_, key) => ((replacements || {})[key] ?? `{${key}}`));
}

export const viTranslateModule = { translate: ['value', translateVi] };

// The properties panel's own tooltips (collapse toggles, edit markers, pop-up editor) do not go through the
// translate service in this version, so their title attributes are mapped as the panel renders them.
export function translateTitles(container) {
  const apply = (el) => {
    const title = el.getAttribute('title');
    if (title && UI[title]) { el.setAttribute('title', UI[title]); }
  };
  container.querySelectorAll('[title]').forEach(apply);
  new MutationObserver((mutations) => mutations.forEach((mutation) => {
    if (mutation.type === 'attributes') { apply(mutation.target); return; }
    mutation.addedNodes.forEach((node) => {
      if (node.nodeType !== Node.ELEMENT_NODE) { return; }
      if (node.hasAttribute('title')) { apply(node); }
      node.querySelectorAll('[title]').forEach(apply);
    });
  })).observe(container, { subtree: true, childList: true, attributes: true, attributeFilter: ['title'] });
}
