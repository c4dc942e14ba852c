// Vietnamese labels for the form-js editor's palette and properties panel.
// form-js has no i18n for its editor (bpmn-io/form-js#77, open): its strings are literals in the bundle, so the
// page translates the rendered text of those two panels (never the form canvas, never input values, never
// labels the designer typed) and keeps translating as the panels re-render.
(function () {
  'use strict';
  if (!document.documentElement.lang.startsWith('vi')) { return; }

  const VI = {
    // palette
    'Components': 'Thành phần', 'Search components': 'Tìm thành phần', 'No components found.': 'Không có thành phần nào.',
    'Input': 'Nhập liệu', 'Selection': 'Lựa chọn', 'Presentation': 'Trình bày', 'Containers': 'Khung chứa',
    'Action': 'Thao tác', 'Text field': 'Ô văn bản', 'Text area': 'Vùng văn bản', 'Number': 'Số',
    'Date time': 'Ngày giờ', 'Datetime': 'Ngày giờ', 'Date': 'Ngày', 'Checkbox': 'Ô đánh dấu',
    'Checkbox group': 'Nhóm ô đánh dấu', 'Checklist': 'Danh sách đánh dấu', 'Radio group': 'Nhóm chọn một',
    'Radio': 'Chọn một', 'Select': 'Danh sách chọn', 'Tag list': 'Danh sách nhãn', 'Text view': 'Đoạn văn bản',
    'Text': 'Văn bản', 'Image view': 'Hình ảnh', 'Table': 'Bảng', 'HTML view': 'Đoạn HTML', 'Html view': 'Đoạn HTML',
    'Document preview': 'Xem trước tài liệu', 'Spacer': 'Khoảng trống', 'Separator': 'Đường phân cách',
    'Group': 'Nhóm', 'Dynamic list': 'Danh sách động', 'iFrame': 'Khung nhúng (iFrame)', 'Button': 'Nút bấm',
    'File picker': 'Chọn tệp', 'Filepicker': 'Chọn tệp', 'Expression': 'Biểu thức',
    'Drag and drop components here to start designing.': 'Kéo thả thành phần vào đây để bắt đầu thiết kế.',
    'Drag and drop components here.': 'Kéo thả thành phần vào đây.',
    'Build your form': 'Thiết kế biểu mẫu', 'Use the preview window to test your form.': 'Dùng khung xem trước để thử biểu mẫu.',
    'Learn more': 'Tìm hiểu thêm', 'Clear content': 'Xoá nội dung',
    // properties panel groups
    'General': 'Chung', 'Validation': 'Kiểm tra dữ liệu', 'Appearance': 'Hiển thị', 'Condition': 'Điều kiện',
    'Layout': 'Bố cục', 'Custom properties': 'Thuộc tính riêng', 'Options source': 'Nguồn lựa chọn',
    'Static options': 'Các lựa chọn cố định', 'Dynamic options': 'Lựa chọn động', 'Options expression': 'Biểu thức lựa chọn',
    'Constraints': 'Ràng buộc', 'Serialization': 'Lưu trữ giá trị', 'Security attributes': 'Thuộc tính bảo mật',
    'Headers source': 'Nguồn tiêu đề cột', 'Header items': 'Tiêu đề cột', 'Pagination': 'Phân trang',
    'Content': 'Nội dung', 'Data source': 'Nguồn dữ liệu', 'Form submission': 'Gửi biểu mẫu',
    // entries
    'Field label': 'Nhãn trường', 'Label': 'Nhãn', 'Key': 'Khoá dữ liệu', 'Field description': 'Mô tả trường',
    'Description': 'Mô tả', 'Default value': 'Giá trị mặc định', 'Disabled': 'Vô hiệu hoá', 'Read only': 'Chỉ đọc',
    'Required': 'Bắt buộc', 'Minimum length': 'Độ dài tối thiểu', 'Maximum length': 'Độ dài tối đa',
    'Minimum': 'Giá trị nhỏ nhất', 'Maximum': 'Giá trị lớn nhất', 'Validation pattern': 'Mẫu kiểm tra',
    'Custom regular expression': 'Biểu thức chính quy riêng', 'Custom error message': 'Thông báo lỗi riêng',
    'Regular expression pattern': 'Biểu thức chính quy', 'Email': 'Thư điện tử', 'Phone': 'Số điện thoại',
    'Custom': 'Tự đặt', 'Prefix': 'Tiền tố', 'Suffix': 'Hậu tố', 'Hide if': 'Ẩn khi', 'Columns': 'Số cột',
    'Column': 'Cột', 'Auto': 'Tự động', 'Value': 'Giá trị', 'Type': 'Loại', 'Subtype': 'Kiểu con',
    'Date label': 'Nhãn ngày', 'Time label': 'Nhãn giờ', 'Use 24h': 'Dùng giờ 24', 'Time format': 'Định dạng giờ',
    'Time interval': 'Bước thời gian', 'Disallow past dates': 'Không cho chọn ngày đã qua',
    'Decimal digits': 'Số chữ số thập phân', 'Increment': 'Bước tăng', 'Output as string': 'Lưu dạng chuỗi',
    'Allows arbitrary precision values': 'Cho phép giá trị độ chính xác tuỳ ý', 'Searchable': 'Cho phép tìm',
    'Checked': 'Đã chọn', 'Not checked': 'Chưa chọn', 'Alternative text': 'Văn bản thay thế',
    'Image source': 'Nguồn hình ảnh', 'Height': 'Chiều cao', 'URL': 'Địa chỉ URL', 'Path': 'Đường dẫn dữ liệu',
    'Show outline': 'Hiện viền', 'Vertical alignment': 'Căn dọc', 'Top': 'Trên', 'Center': 'Giữa', 'Bottom': 'Dưới',
    'Allow add/delete items': 'Cho thêm/xoá mục', 'Default number of items': 'Số mục mặc định',
    'Disable collapse': 'Không thu gọn', 'Number of non-collapsing items': 'Số mục không thu gọn',
    'Number of rows per page': 'Số dòng mỗi trang', 'Repeatable': 'Lặp lại', 'Submit': 'Gửi', 'Reset': 'Nhập lại',
    'Supported file formats': 'Định dạng tệp được nhận', 'Upload multiple files': 'Cho tải nhiều tệp',
    'Compute on': 'Tính khi', 'Value changes': 'Giá trị thay đổi', 'Target value': 'Giá trị đích',
    'Version tag': 'Nhãn phiên bản', 'Input values key': 'Khoá dữ liệu nguồn', 'List of items': 'Danh sách mục',
    'Binds to a form variable': 'Gắn với một biến của biểu mẫu',
    'Define which input property to populate the values from': 'Chọn thuộc tính dữ liệu để lấy các giá trị',
    'Define an expression to populate the options from.': 'Biểu thức tạo danh sách lựa chọn.',
    'Define an expression to calculate the value of this field': 'Biểu thức tính giá trị của trường này',
    'Where the child variables of this component are pathed to.': 'Nơi lưu các biến con của thành phần này.',
    'Height of the container in pixels.': 'Chiều cao khung, tính bằng điểm ảnh.',
    'Max height of preview container': 'Chiều cao tối đa của khung xem trước',
    'Expression or static value (link/data URI)': 'Biểu thức hoặc giá trị cố định (liên kết/data URI)',
    'Document reference': 'Tham chiếu tài liệu', 'ID': 'Mã', 'Name': 'Tên',
    'Toggle section': 'Mở/đóng nhóm', 'Section contains an error': 'Nhóm có lỗi', 'Section contains edits': 'Nhóm đã sửa',
    'Create new list item': 'Thêm mục', 'Create': 'Thêm', 'Delete item': 'Xoá mục', 'Toggle list item': 'Mở/đóng mục',
    '<empty>': '<trống>', 'Open documentation': 'Mở tài liệu', 'Open pop-up editor': 'Mở trình soạn thảo',
    'FEEL expression is mandatory': 'Bắt buộc là biểu thức FEEL', 'Unparsable FEEL expression.': 'Biểu thức FEEL không đọc được.',
    'Must not be empty.': 'Không được để trống.', 'Must be unique.': 'Phải là duy nhất.',
    'Condition under which the field is hidden': 'Điều kiện để ẩn trường',
    'Condition under which the field is deactivated': 'Điều kiện để vô hiệu hoá trường',
  };
  // The form canvas and the preview: only the viewer's own empty-select text and search placeholder.
  const CANVAS = { 'Select': '— chọn —', 'Search': 'Tìm kiếm' };
  const ATTRIBUTES = ['title', 'placeholder', 'aria-label'];
  const PANELS = '.fjs-palette-container, .fjs-editor-properties-container, .fjs-empty-editor';
  // What the designer typed is left as typed: editable text (the label and FEEL editors are contenteditable
  // CodeMirror views whose text *is* the value), the selected field's label in the header, option labels.
  const TYPED = '[contenteditable], .cm-editor, .bio-properties-panel-header-label, ' +
    '.bio-properties-panel-collapsible-entry-header-title';

  function translateCanvas(root) {
    root.querySelectorAll('.fjs-select-placeholder').forEach((el) => {
      el.childNodes.forEach((node) => {
        const text = node.nodeType === Node.TEXT_NODE && node.nodeValue.trim();
        if (text && CANVAS[text]) { node.nodeValue = CANVAS[text]; }
      });
    });
    root.querySelectorAll('[placeholder="Search"]').forEach((el) => el.setAttribute('placeholder', CANVAS.Search));
  }

  function translateNode(node) {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.nodeValue.trim();
      const parent = node.parentElement;
      if (text && VI[text] && parent && !parent.closest(TYPED)) {
        node.nodeValue = node.nodeValue.replace(text, VI[text]);
      }
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) { return; }
    for (const name of ATTRIBUTES) {
      const value = node.getAttribute(name);
      if (value && VI[value.trim()]) { node.setAttribute(name, VI[value.trim()]); }
    }
    for (const child of node.childNodes) { translateNode(child); }
  }

  function translateWithin(root) {
    if (root.nodeType !== Node.ELEMENT_NODE) { return; }
    if (root.matches(PANELS)) { translateNode(root); return; }
    root.querySelectorAll(PANELS).forEach(translateNode);
  }

  window.motcuaTranslateFormEditor = function (container, preview) {
    translateWithin(container);
    let pending = false;
    const canvasSoon = () => {
      if (pending) { return; }
      pending = true;
      requestAnimationFrame(() => { pending = false; translateCanvas(container); translateCanvas(preview); });
    };
    new MutationObserver(canvasSoon).observe(preview, { subtree: true, childList: true, characterData: true });
    new MutationObserver((mutations) => {
      canvasSoon();
      for (const mutation of mutations) {
        const target = mutation.target.nodeType === Node.ELEMENT_NODE ? mutation.target : mutation.target.parentElement;
        if (target && target.closest(PANELS)) {
          if (mutation.type === 'childList') { mutation.addedNodes.forEach(translateNode); } else { translateNode(mutation.target); }
        } else {
          mutation.addedNodes.forEach(translateWithin);
        }
      }
    }).observe(container, { subtree: true, childList: true, characterData: true, attributes: true,
      attributeFilter: ATTRIBUTES });
  };
}());
