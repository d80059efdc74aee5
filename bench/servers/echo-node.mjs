// The Node contender of the echo benchmark: a `net` server that pipes every socket
// back to itself (pipe() handles backpressure), with setNoDelay(true) like the other
// servers. Listens on 127.0.0.1, an ephemeral port; prints "listening on PORT".
import net from 'node:net';

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`);
});
