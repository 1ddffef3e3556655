import TockModel
import TockProto

extension Header {
    init(proto: UnsafePointer<Tock__V1__Header>) throws(WireError) {
        self.init(
            name: try CReading.string(proto.pointee.name, field: "Header.name"),
            value: try CReading.string(proto.pointee.value, field: "Header.value"),
            secret: proto.pointee.secret != 0
        )
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__Header> {
        arena.message(Tock__V1__Header.self) { message in
            tock__v1__header__init(message)
            message.pointee.name = arena.string(name)
            message.pointee.value = arena.string(value)
            message.pointee.secret = secret ? 1 : 0
        }
    }
}

extension HTTPTarget {
    init(proto: UnsafePointer<Tock__V1__HttpTarget>) throws(WireError) {
        let message = proto.pointee
        self.init(
            url: try CReading.string(message.url, field: "HttpTarget.url"),
            method: try CReading.string(message.method, field: "HttpTarget.method"),
            headers: try CReading.repeated(message.n_headers, message.headers, field: "HttpTarget.headers") {
                (header) throws(WireError) in try Header(proto: header)
            },
            body: CReading.bytes(message.body)
        )
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__HttpTarget> {
        arena.message(Tock__V1__HttpTarget.self) { message in
            tock__v1__http_target__init(message)
            message.pointee.url = arena.string(url)
            message.pointee.method = arena.string(method)
            message.pointee.n_headers = headers.count
            message.pointee.headers = arena.pointerArray(headers.map { $0.proto(in: arena) })
            message.pointee.body = arena.bytes(body)
        }
    }
}
