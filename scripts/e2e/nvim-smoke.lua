-- Headless Neovim smoke test: starts Workerscope's built language server with vim.lsp.start_client,
-- opens a Python file and prints the diagnostics it receives as JSON, proving the server works
-- outside VS Code. Usage: nvim --headless -u NONE -l? (0.7: nvim --headless -u NONE -c "luafile nvim-smoke.lua") FILE SERVER
local file = vim.env.WORKERSCOPE_SMOKE_FILE
local server = vim.env.WORKERSCOPE_SMOKE_SERVER
local out = vim.env.WORKERSCOPE_SMOKE_OUT

local function finish(payload)
  local f = io.open(out, 'w')
  f:write(vim.fn.json_encode(payload))
  f:close()
  vim.cmd('qall!')
end

local client_id = vim.lsp.start_client({
  name = 'workerscope',
  cmd = { 'node', server, '--stdio' },
  root_dir = vim.fn.fnamemodify(file, ':h'),
})
if not client_id then
  finish({ error = 'start_client failed' })
  return
end

vim.cmd('edit ' .. vim.fn.fnameescape(file))
vim.bo.filetype = 'python'
vim.lsp.buf_attach_client(0, client_id)

local deadline = vim.loop.now() + 15000
local function poll()
  local diagnostics = vim.diagnostic.get(0)
  if #diagnostics > 0 then
    local list = {}
    for _, d in ipairs(diagnostics) do
      table.insert(list, { line = d.lnum + 1, col = d.col + 1, code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code), message = d.message, source = d.source })
    end
    finish({ diagnostics = list })
  elseif vim.loop.now() > deadline then
    finish({ error = 'no diagnostics within 15 s' })
  else
    vim.defer_fn(poll, 50)
  end
end
poll()
