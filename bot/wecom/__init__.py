"""WeCom (企业微信): the group robot for announcements, the self-built app, and the H5 ballot pages."""
