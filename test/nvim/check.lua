-- Neovim (Debian's 0.7.2) as a second LSP client of the pipelint server.
-- Run: nvim --headless --clean -u NONE -i NONE -n --cmd 'let g:loaded_python3_provider = 0' \
--        --cmd 'filetype off' --cmd 'syntax off' -c 'luafile test/nvim/check.lua'
-- (with the python3 provider on, opening a .py file probes python3 for pynvim: up to ~25 s here)
-- Environment:
--   PIPELINT_SERVER     path to dist/server.js (started as `node SERVER --stdio`)
--   PIPELINT_FILE       the file to open
--   PIPELINT_ROOT       the workspace root (root_dir)
--   PIPELINT_WANT       comma-separated codes to wait for (all of them)
--   PIPELINT_QUICKFIX   optional: a code whose quick fix is requested, applied, and must then disappear
--   PIPELINT_OUT        where to write the JSON result
--   PIPELINT_TIMEOUT_MS how long to wait for each step (default 20000)
-- Exits 0 after writing the result (the driver judges it), 1 if it could not even start.
local env = function(name, default)
  local v = os.getenv(name)
  if v == nil or v == '' then return default end
  return v
end
local server = env('PIPELINT_SERVER')
local file = env('PIPELINT_FILE')
local root = env('PIPELINT_ROOT', vim.fn.fnamemodify(file or '.', ':p:h'))
local out = env('PIPELINT_OUT')
local timeout = tonumber(env('PIPELINT_TIMEOUT_MS', '20000'))
local quickfix = env('PIPELINT_QUICKFIX')
local want = {}
for code in string.gmatch(env('PIPELINT_WANT', ''), '[^,]+') do table.insert(want, code) end

local result = { diagnostics = {}, steps = {} }

local function finish(err)
  result.error = err
  local f = assert(io.open(out, 'w'))
  f:write(vim.json.encode(result))
  f:close()
  vim.cmd('qall!')
end

if not (server and file and out) then
  io.stderr:write('PIPELINT_SERVER, PIPELINT_FILE and PIPELINT_OUT are required\n')
  vim.cmd('cquit')
end

local t0 = vim.loop.hrtime()
local function step(name) table.insert(result.steps, string.format('%s@%dms', name, (vim.loop.hrtime() - t0) / 1e6)) end

-- Diagnostics of the buffer from pipelint, in a JSON-friendly shape (0.7 keeps the LSP code in `code`).
local function pipelint_diagnostics(bufnr)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'pipelint' then table.insert(list, d) end
  end
  return list
end

local function codes(bufnr)
  local set = {}
  for _, d in ipairs(pipelint_diagnostics(bufnr)) do set[tostring(d.code)] = true end
  return set
end

local ok, err = pcall(function()
  vim.lsp.set_log_level('warn')
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  -- -u NONE: no filetype detection; the languageId sent in didOpen comes from 'filetype'.
  local ext = vim.fn.fnamemodify(file, ':e')
  local filetypes = { py = 'python', ts = 'typescript', tsx = 'typescriptreact', js = 'javascript', mts = 'typescript', cts = 'typescript' }
  vim.bo[bufnr].filetype = filetypes[ext] or ext

  local exited = nil
  local client_id = vim.lsp.start_client({
    name = 'pipelint',
    cmd = { 'node', server, '--stdio' },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = 'fixture' } },
    settings = { pipelint = { enable = true } },
    on_exit = function(code, signal) exited = { code = code, signal = signal } end,
  })
  if not client_id then error('vim.lsp.start_client failed') end
  step('started')
  vim.lsp.buf_attach_client(bufnr, client_id)

  local have_all = function()
    local set = codes(bufnr)
    for _, c in ipairs(want) do
      if not set[c] then return false end
    end
    return #want > 0 or next(set) ~= nil
  end
  local got = vim.wait(timeout, function() return exited ~= nil or have_all() end, 50)
  result.diagnostics = pipelint_diagnostics(bufnr)
  if exited then error('server exited: ' .. vim.inspect(exited)) end
  if not got then error('timed out waiting for ' .. table.concat(want, ',')) end
  step('diagnostics')

  if quickfix then
    local target
    for _, d in ipairs(pipelint_diagnostics(bufnr)) do
      if tostring(d.code) == quickfix then target = d break end
    end
    -- Back to LSP form, as vim.lsp.buf.code_action does (0.7 keeps only code/data/... in user_data.lsp).
    local lsp_diag = vim.tbl_extend('keep', {
      range = {
        start = { line = target.lnum, character = target.col },
        ['end'] = { line = target.end_lnum, character = target.end_col },
      },
      severity = target.severity,
      message = target.message,
      source = target.source,
      code = target.code,
    }, target.user_data and target.user_data.lsp or {})
    local client = vim.lsp.get_client_by_id(client_id)
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      range = lsp_diag.range,
      context = { diagnostics = { lsp_diag }, only = { 'quickfix' } },
    }
    local response = client.request_sync('textDocument/codeAction', params, timeout, bufnr)
    if not response or response.err then error('codeAction failed: ' .. vim.inspect(response)) end
    local action
    for _, a in ipairs(response.result or {}) do
      for _, d in ipairs(a.diagnostics or {}) do
        if tostring(d.code) == quickfix and a.edit then action = a end
      end
    end
    if not action then error('no quick fix for ' .. quickfix .. ': ' .. vim.json.encode(response.result or {})) end
    local before = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or 'utf-16')
    local after = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
    result.quickfix = { title = action.title, changed = before ~= after }
    step('quickfix applied')
    local gone = vim.wait(timeout, function() return exited ~= nil or not codes(bufnr)[quickfix] end, 50)
    result.quickfix.gone = gone and exited == nil
    result.quickfix.remaining = pipelint_diagnostics(bufnr)
    step('quickfix checked')
  end
  vim.lsp.stop_client(client_id)
end)
finish(not ok and tostring(err) or nil)
